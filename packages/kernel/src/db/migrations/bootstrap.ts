import { sql } from 'kysely'
import { APP_ROLE, OWNER_ROLE } from '../roles.ts'
import type { Db } from '../schema.ts'

/**
 * Creates the owner and application roles if they are missing and lets the connecting user switch
 * to them. Runs as the connecting user before any migration, because migrations run as the owner.
 * Idempotent, and safe when two databases of one cluster bootstrap at once.
 */
export async function ensureRoles(db: Db): Promise<void> {
  await db.transaction().execute(async (trx) => {
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
grant usage, create on schema public to ${OWNER_ROLE};
grant usage on schema public to ${APP_ROLE};
`)
      .execute(trx)
  })
}

/** The ledger of applied migrations, owned by the owner role like every other table. */
export async function ensureMigrationsTable(db: Db): Promise<void> {
  await db.transaction().execute(async (trx) => {
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
