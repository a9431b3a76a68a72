import { sql } from 'kysely'
import { OWNER_ROLE } from '../roles.ts'
import type { Db } from '../schema.ts'
import { ensureMigrationsTable, ensureRoles, MIGRATION_LOCK } from './bootstrap.ts'
import { loadMigrations, type Migration, type MigrationSource } from './source.ts'

export class MigrationChanged extends Error {
  readonly ids: string[]
  constructor(ids: string[]) {
    super(
      `Applied migration${ids.length > 1 ? 's' : ''} changed since being applied: ${ids.join(', ')}. ` +
        'A migration is never edited once applied; restore the file and add a new migration instead. Nothing was changed.',
    )
    this.name = 'MigrationChanged'
    this.ids = ids
  }
}

/**
 * Applies pending migrations, each in its own transaction as the owner role, recording its
 * checksum in the same transaction. Refuses to run at all if an applied file has changed.
 */
export async function migrate(db: Db, sources: readonly MigrationSource[]): Promise<{ applied: string[] }> {
  const migrations = loadMigrations(sources)
  await ensureRoles(db)
  await ensureMigrationsTable(db)
  const recorded = await readApplied(db)
  assertUnchanged(migrations, recorded)

  const applied: string[] = []
  for (const migration of migrations) {
    if (recorded.has(migration.id)) continue
    const ran = await db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${MIGRATION_LOCK})`.execute(trx)
      const already = await trx
        .selectFrom('tessera_migrations')
        .select('id')
        .where('id', '=', migration.id)
        .executeTakeFirst()
      if (already) return false // another process applied it while we waited for the lock
      await sql`select set_config('role', ${OWNER_ROLE}, true)`.execute(trx)
      await sql.raw(migration.sql).execute(trx)
      await trx
        .insertInto('tessera_migrations')
        .values({ id: migration.id, checksum: migration.checksum })
        .execute()
      return true
    })
    if (ran) applied.push(migration.id)
  }
  return { applied }
}

/** Ids of migrations not yet applied; throws MigrationChanged like `migrate` would. */
export async function pendingMigrations(db: Db, sources: readonly MigrationSource[]): Promise<string[]> {
  const migrations = loadMigrations(sources)
  const recorded = await readApplied(db)
  assertUnchanged(migrations, recorded)
  return migrations.filter((m) => !recorded.has(m.id)).map((m) => m.id)
}

async function readApplied(db: Db): Promise<Map<string, string>> {
  const ledger = await sql<{
    found: string | null
  }>`select to_regclass('tessera_migrations')::text as found`.execute(db)
  if (!ledger.rows[0]?.found) return new Map() // a database never migrated
  const rows = await db.selectFrom('tessera_migrations').select(['id', 'checksum']).execute()
  return new Map(rows.map((row) => [row.id, row.checksum]))
}

function assertUnchanged(migrations: Migration[], recorded: Map<string, string>): void {
  const changed = migrations.filter((m) => recorded.has(m.id) && recorded.get(m.id) !== m.checksum)
  if (changed.length > 0) throw new MigrationChanged(changed.map((m) => m.id))
}
