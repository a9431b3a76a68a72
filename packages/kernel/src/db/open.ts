import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm'
import { createPgConfig } from '@electric-sql/pglite/node-postgres'
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import { type DataDirLock, lockDataDir } from './lock.ts'
import type { KernelTables } from './schema.ts'

// `date` columns stay 'YYYY-MM-DD' strings: pg would otherwise build a Date at local midnight,
// which shifts the day in any time zone west of UTC. numeric and int8 already arrive as strings.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value)

/**
 * The PostgreSQL extensions Tessera's migrations create (pg_trgm: typo-tolerant search). PGlite
 * loads an extension's code only when the instance is created with it, so every PGlite that opens
 * a Tessera database — data folder, test clone, restore — is created with these.
 */
export const pgliteExtensions = { pg_trgm }

export type DatabaseTarget =
  | { kind: 'server'; url: string; poolSize?: number }
  | { kind: 'embedded'; dataDir: string }
  /** An already open PGlite, owned by the caller (tests load template dumps this way). */
  | { kind: 'pglite'; pglite: PGlite }

export interface Database {
  db: Kysely<KernelTables>
  kind: 'server' | 'embedded'
  /** The PGlite instance, for embedded databases only (backups). */
  pglite?: PGlite
  /** The server URL, for server databases only (backups). */
  url?: string
  close(): Promise<void>
}

/**
 * Opens Tessera's database. Both kinds go through node-postgres and Kysely's PostgresDialect,
 * so every query takes the same code path; PGlite is reached through its node-postgres adapter.
 */
export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  if (target.kind === 'server') {
    const pool = new pg.Pool({ connectionString: target.url, max: target.poolSize ?? 10 })
    // An idle client's network error must not crash the process; the pool drops that client.
    pool.on('error', () => {})
    const db = new Kysely<KernelTables>({ dialect: new PostgresDialect({ pool }) })
    return { db, kind: 'server', url: target.url, close: () => db.destroy() }
  }
  if (target.kind === 'pglite') {
    return fromPglite(target.pglite, async () => {})
  }
  const dataDir = resolve(target.dataDir)
  mkdirSync(dataDir, { recursive: true })
  const lock: DataDirLock = lockDataDir(dataDir)
  try {
    const pglite = await PGlite.create(resolve(dataDir, 'pg'), { extensions: pgliteExtensions })
    return fromPglite(pglite, async () => {
      await pglite.close()
      lock.release()
    })
  } catch (err) {
    lock.release()
    throw err
  }
}

function fromPglite(pglite: PGlite, onClose: () => Promise<void>): Database {
  // PGlite serves one connection: the pool size of 1 comes from createPgConfig.
  const pool = new pg.Pool(createPgConfig(pglite) as unknown as pg.PoolConfig)
  const db = new Kysely<KernelTables>({ dialect: new PostgresDialect({ pool }) })
  return {
    db,
    kind: 'embedded',
    pglite,
    async close() {
      await db.destroy()
      await onClose()
    },
  }
}
