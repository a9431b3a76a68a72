import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { PGlite } from '@electric-sql/pglite'
import { sql } from 'kysely'
import { lockDataDir } from './lock.ts'
import { ensureRoles } from './migrations/bootstrap.ts'
import { type Database, openDatabase, pgliteExtensions } from './open.ts'

const run = promisify(execFile)

export class BackupError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'BackupError'
  }
}

/**
 * Writes a complete backup of the database to `outFile`.
 * Embedded: PGlite's data-folder dump (a gzipped tar). Server: pg_dump's custom format.
 * pg_dump runs with an argument array and its connection in PG* variables, never a shell string,
 * so neither a file name nor a password can become a command or show up in `ps`.
 */
export async function backupDatabase(database: Database, outFile: string): Promise<void> {
  const out = resolve(outFile)
  if (database.pglite) {
    const dump = await database.pglite.dumpDataDir('gzip')
    await writeFile(out, Buffer.from(await dump.arrayBuffer()))
    return
  }
  if (!database.url) throw new BackupError('No database to back up.')
  await tool('pg_dump', ['--format=custom', '--no-password', `--file=${out}`], database.url)
}

/** Restores `inFile` into an empty data folder (embedded) or an empty database (server). */
export async function restoreDatabase(
  target: { kind: 'embedded'; dataDir: string } | { kind: 'server'; url: string },
  inFile: string,
): Promise<void> {
  const file = await readFile(resolve(inFile)).catch(() => {
    throw new BackupError(`Cannot read the backup file ${inFile}.`)
  })
  if (target.kind === 'embedded') {
    if (file[0] !== 0x1f || file[1] !== 0x8b) {
      throw new BackupError(`${inFile} is not an embedded-database backup (a gzipped data folder).`)
    }
    const dataDir = resolve(target.dataDir)
    const pgDir = join(dataDir, 'pg')
    if (existsSync(pgDir) && readdirSync(pgDir).length > 0) {
      throw new BackupError(
        `The data folder ${dataDir} already holds a database; restore into an empty folder.`,
      )
    }
    mkdirSync(dataDir, { recursive: true })
    const lock = lockDataDir(dataDir)
    try {
      const pglite = await PGlite.create(pgDir, {
        loadDataDir: new Blob([file]),
        extensions: pgliteExtensions,
      })
      await pglite.close()
    } finally {
      lock.release()
    }
    return
  }
  if (file.subarray(0, 5).toString('latin1') !== 'PGDMP') {
    throw new BackupError(`${inFile} is not a PostgreSQL server backup (pg_dump custom format).`)
  }
  const database = await openDatabase({ kind: 'server', url: target.url, poolSize: 1 })
  try {
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = 'public' and c.relkind in ('r', 'p')`.execute(database.db)
    if ((rows[0]?.n ?? 0) > 0)
      throw new BackupError('The target database is not empty; restore into an empty database.')
    // The roles are cluster-wide: a new cluster needs them before the dump's grants can apply.
    await ensureRoles(database.db)
  } finally {
    await database.close()
  }
  await tool(
    'pg_restore',
    ['--exit-on-error', '--single-transaction', '--no-password', resolve(inFile)],
    target.url,
    true,
  )
}

async function tool(command: string, args: string[], url: string, withDbName = false): Promise<void> {
  const env = connectionEnv(url)
  const fullArgs = withDbName ? [`--dbname=${env.PGDATABASE}`, ...args] : args
  try {
    await run(command, fullArgs, { env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024 })
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string }
    if (e.code === 'ENOENT')
      throw new BackupError(`${command} is not installed; install the PostgreSQL client tools.`)
    throw new BackupError(`${command} failed: ${(e.stderr ?? e.message).trim()}`)
  }
}

/** libpq's environment variables for a postgres:// URL. */
export function connectionEnv(url: string): Record<string, string> {
  const u = new URL(url)
  const env: Record<string, string> = { PGDATABASE: decodeURIComponent(u.pathname.slice(1)) || 'postgres' }
  const host = u.searchParams.get('host') ?? (u.hostname ? decodeURIComponent(u.hostname) : '')
  if (host) env.PGHOST = host
  if (u.port) env.PGPORT = u.port
  if (u.username) env.PGUSER = decodeURIComponent(u.username)
  if (u.password) env.PGPASSWORD = decodeURIComponent(u.password)
  const sslmode = u.searchParams.get('sslmode')
  if (sslmode) env.PGSSLMODE = sslmode
  return env
}
