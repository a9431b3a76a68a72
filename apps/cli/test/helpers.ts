import { type Db, openDatabase } from '@tessera/kernel'
import { sql } from 'kysely'

/** Rows per table in the public schema, read as the connecting superuser (RLS does not apply). */
export async function rowCounts(db: Db): Promise<Record<string, number>> {
  const tables = await sql<{ name: string }>`
    select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind = 'r' order by 1`.execute(db)
  const counts: Record<string, number> = {}
  for (const { name } of tables.rows) {
    const result = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(name)}`.execute(db)
    counts[name] = result.rows[0]?.n ?? -1
  }
  return counts
}

/** Opens an embedded data folder just long enough to count its rows. */
export async function embeddedRowCounts(dataDir: string): Promise<Record<string, number>> {
  const database = await openDatabase({ kind: 'embedded', dataDir })
  try {
    return await rowCounts(database.db)
  } finally {
    await database.close()
  }
}
