import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { createPgConfig } from '@electric-sql/pglite/node-postgres'
import { type Database, type KernelTables, pgliteExtensions } from '@tessera/kernel'
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import { countStatements, type SqlCounter } from './sql-counter.ts'
import { timed } from './stats.ts'

/** openDatabase's default pool size on a server; the direct replay gets the same. */
const SERVER_POOL_SIZE = 10

export type BenchTarget = { kind: 'embedded'; dir: string } | { kind: 'server'; url: string }

export interface BenchDatabase {
  database: Database
  /** the pool behind database.db, counted */
  pool: pg.Pool
  counter: SqlCounter
  /** embedded only: how long PGlite took to start on an empty folder */
  coldStartMs?: number
  /**
   * The pool the direct replay runs on, as large as the application's: a plain pg.Pool on a
   * server; the application's own pool on PGlite, whose single session cannot be shared safely.
   */
  directPool(): pg.Pool
  close(): Promise<void>
}

/**
 * Opens the database as openDatabase does (a pg.Pool under Kysely's PostgresDialect, PGlite
 * through its node-postgres adapter, the same pool size), but keeps the pool in hand so the bench
 * can count the statements on it and replay them. The kernel offers no hook for that, and needs none.
 */
export async function openBenchDatabase(target: BenchTarget): Promise<BenchDatabase> {
  if (target.kind === 'server') {
    const pool = new pg.Pool({ connectionString: target.url, max: SERVER_POOL_SIZE })
    pool.on('error', () => {})
    const direct = new pg.Pool({ connectionString: target.url, max: SERVER_POOL_SIZE })
    direct.on('error', () => {})
    const counter = countStatements(pool)
    const db = new Kysely<KernelTables>({ dialect: new PostgresDialect({ pool }) })
    return {
      database: { db, kind: 'server', url: target.url, close: () => db.destroy() },
      pool,
      counter,
      directPool: () => direct,
      async close() {
        await direct.end()
        await db.destroy()
      },
    }
  }
  const [pglite, coldStartMs] = await timed(() =>
    PGlite.create(join(target.dir, 'pg'), { extensions: pgliteExtensions }),
  )
  const pool = new pg.Pool(createPgConfig(pglite) as unknown as pg.PoolConfig)
  const counter = countStatements(pool)
  const db = new Kysely<KernelTables>({ dialect: new PostgresDialect({ pool }) })
  const close = async () => {
    await db.destroy()
    await pglite.close()
  }
  return {
    database: { db, kind: 'embedded', pglite, close },
    pool,
    counter,
    coldStartMs,
    directPool: () => pool,
    close,
  }
}

/**
 * A new database next to `url` (same server and user) for one run, since the bench writes
 * 100,000 rows and a tenant; `drop` removes it, closing any session still in it.
 */
export async function createScratchDatabase(url: string): Promise<{ url: string; drop(): Promise<void> }> {
  const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)
  const name = `tessera_bench_${stamp}_${process.pid}`
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      await client.query(statement)
    } finally {
      await client.end()
    }
  }
  await admin(`create database ${name}`)
  const scratch = new URL(url)
  scratch.pathname = `/${name}`
  return { url: scratch.href, drop: () => admin(`drop database if exists ${name} with (force)`) }
}
