import { sql } from 'kysely'
import { APP_ROLE, OWNER_ROLE } from '../roles.ts'
import type { Db } from '../schema.ts'

/** Serialises concurrent role bootstraps and migration runs against one database. */
export const MIGRATION_LOCK = 7_371_601

/**
 * Creates the owner and application roles if they are missing and lets the connecting user switch
 * to them. Runs as the connecting user before any migration, because migrations run as the owner.
 * Idempotent, and safe when two databases of one cluster bootstrap at once.
 */
export async function ensureRoles(db: Db): Promise<void> {
  await db.transaction().execute(async (trx) => {
    // Concurrent GRANTs on one catalog row fail with "tuple concurrently updated": serialise.
    await sql`select pg_advisory_xact_lock(${MIGRATION_LOCK})`.execute(trx)
    await sql
      .raw(`
do $$
begin
  begin
    create role ${OWNER_ROLE} nologin;
  exception when duplicate_object then null;
  end;
  begin
    create role ${APP_ROLE} nologin nosuperuser nobypassrls noinherit nocreatedb nocreaterole;
  exception when duplicate_object then null;
  end;
  if not pg_has_role(current_user, '${OWNER_ROLE}', 'member') then
    execute format('grant ${OWNER_ROLE} to %I', current_user);
  end if;
  if not pg_has_role(current_user, '${APP_ROLE}', 'member') then
    execute format('grant ${APP_ROLE} to %I', current_user);
  end if;
end $$;
do $$
begin
  if not has_schema_privilege('${OWNER_ROLE}', 'public', 'CREATE') then
    grant usage, create on schema public to ${OWNER_ROLE};
  end if;
  if not has_schema_privilege('${APP_ROLE}', 'public', 'USAGE') then
    grant usage on schema public to ${APP_ROLE};
  end if;
end $$;
do $$
begin
  -- pg_trgm (typo-tolerant search) is a trusted extension, yet creating one needs CREATE on the
  -- database, which the owner role lacks: the connecting user creates it here when it may. When
  -- it may not, kernel migration 0016 stops with PostgreSQL's "permission denied" (README).
  create extension if not exists pg_trgm with schema public;
exception when insufficient_privilege then null;
end $$;
`)
      .execute(trx)
  })
}

/** The ledger of applied migrations, owned by the owner role like every other table. */
export async function ensureMigrationsTable(db: Db): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${MIGRATION_LOCK})`.execute(trx)
    await sql`select set_config('role', ${OWNER_ROLE}, true)`.execute(trx)
    await sql
      .raw(`
create table if not exists tessera_migrations (
  id text primary key,
  checksum text not null,
  applied_at timestamptz not null default now()
);
`)
      .execute(trx)
  })
}
