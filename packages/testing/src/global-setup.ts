import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { migrate, openDatabase, pgliteExtensions } from '@tessera/kernel'
import { sql } from 'kysely'
import type { TestProject } from 'vitest/node'
import { allMigrations, type Template, withDatabaseName } from './template.ts'

/** Vitest global setup: migrate one template database for the whole run. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const serverUrl = process.env.TESSERA_TEST_DATABASE_URL
  if (serverUrl) {
    const template = `${new URL(serverUrl).pathname.slice(1) || 'tessera'}_tpl_${process.pid}`
    const admin = await openDatabase({ kind: 'server', url: serverUrl, poolSize: 1 })
    await sql`drop database if exists ${sql.id(template)}`.execute(admin.db)
    await sql`create database ${sql.id(template)}`.execute(admin.db)
    const tpl = await openDatabase({
      kind: 'server',
      url: withDatabaseName(serverUrl, template),
      poolSize: 1,
    })
    await migrate(tpl.db, allMigrations())
    await tpl.close()
    project.provide('tesseraTemplate', { kind: 'server', adminUrl: serverUrl, template } satisfies Template)
    return async () => {
      await sql`drop database if exists ${sql.id(template)} with (force)`.execute(admin.db)
      await admin.close()
    }
  }

  const dir = mkdtempSync(join(tmpdir(), 'tessera-template-'))
  const pglite = await PGlite.create({ extensions: pgliteExtensions })
  const database = await openDatabase({ kind: 'pglite', pglite })
  await migrate(database.db, allMigrations())
  const dump = await pglite.dumpDataDir('gzip')
  await database.close()
  await pglite.close()
  const dumpFile = join(dir, 'template.tar.gz')
  writeFileSync(dumpFile, Buffer.from(await dump.arrayBuffer()))
  project.provide('tesseraTemplate', { kind: 'pglite', dumpFile } satisfies Template)
  return async () => rmSync(dir, { recursive: true, force: true })
}
