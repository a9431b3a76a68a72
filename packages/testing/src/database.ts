import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { PGlite } from '@electric-sql/pglite'
import { type Database, openDatabase, pgliteExtensions } from '@tessera/kernel'
import { sql } from 'kysely'
import { inject } from 'vitest'
import { withDatabaseName } from './template.ts'

export interface TestDatabase extends Database {
  /** 'embedded' or 'server': which database this run tests */
  kind: 'embedded' | 'server'
  /** the server URL of this test database (server runs only), for child processes */
  url?: string
}

/** True when this run targets a PostgreSQL server (TESSERA_TEST_DATABASE_URL is set). */
export function onServer(): boolean {
  return inject('tesseraTemplate').kind === 'server'
}

/** A migrated database of this file's own, cloned from the run's template. */
export function createTestDatabase(): Promise<TestDatabase> {
  return openClone(true)
}

/** An empty, never-migrated database of this file's own (for migration tests). */
export function createEmptyDatabase(): Promise<TestDatabase> {
  return openClone(false)
}

async function openClone(migrated: boolean): Promise<TestDatabase> {
  const template = inject('tesseraTemplate')
  if (template.kind === 'pglite') {
    const pglite = migrated
      ? await PGlite.create({
          loadDataDir: new Blob([readFileSync(template.dumpFile)]),
          extensions: pgliteExtensions,
        })
      : await PGlite.create({ extensions: pgliteExtensions })
    const database = await openDatabase({ kind: 'pglite', pglite })
    return {
      ...database,
      async close() {
        await database.close()
        await pglite.close()
      },
    }
  }
  const name = `${template.template}_${randomBytes(5).toString('hex')}`
  const admin = await openDatabase({ kind: 'server', url: template.adminUrl, poolSize: 1 })
  try {
    if (migrated)
      await sql`create database ${sql.id(name)} template ${sql.id(template.template)}`.execute(admin.db)
    else await sql`create database ${sql.id(name)}`.execute(admin.db)
  } finally {
    await admin.close()
  }
  const url = withDatabaseName(template.adminUrl, name)
  const database = await openDatabase({ kind: 'server', url, poolSize: 4 })
  return {
    ...database,
    url,
    async close() {
      await database.close()
      const drop = await openDatabase({ kind: 'server', url: template.adminUrl, poolSize: 1 })
      await sql`drop database if exists ${sql.id(name)} with (force)`.execute(drop.db)
      await drop.close()
    },
  }
}

/** A new, empty server database next to the template (server runs only), for restore tests. */
export async function createBlankServerDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const template = inject('tesseraTemplate')
  if (template.kind !== 'server') throw new Error('createBlankServerDatabase needs a server run')
  const name = `${template.template}_${randomBytes(5).toString('hex')}`
  const admin = await openDatabase({ kind: 'server', url: template.adminUrl, poolSize: 1 })
  await sql`create database ${sql.id(name)}`.execute(admin.db)
  await admin.close()
  return {
    url: withDatabaseName(template.adminUrl, name),
    async drop() {
      const a = await openDatabase({ kind: 'server', url: template.adminUrl, poolSize: 1 })
      await sql`drop database if exists ${sql.id(name)} with (force)`.execute(a.db)
      await a.close()
    },
  }
}
