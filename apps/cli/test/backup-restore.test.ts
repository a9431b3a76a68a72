import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTenant, migrate, openDatabase } from '@tessera/kernel'
import {
  allMigrations,
  createBlankServerDatabase,
  createTestDatabase,
  onServer,
  runCli,
} from '@tessera/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { embeddedRowCounts, rowCounts } from './helpers.ts'

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-backup-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe.runIf(!onServer())('backup and restore (embedded database)', () => {
  it('restores into an empty data folder with identical row counts per table', async () => {
    const source = join(dir, 'source')
    const database = await openDatabase({ kind: 'embedded', dataDir: source })
    await migrate(database.db, allMigrations())
    for (const name of ['Alpha', 'Beta', 'Gamma'])
      await createTenant(database.db, { name, company: { currency: 'EUR' } })
    await database.close()
    const before = await embeddedRowCounts(source)
    expect(before.tenants).toBe(3)

    const file = join(dir, 'embedded.backup')
    const backup = await runCli(['backup', '--out', file], { TESSERA_DATA_DIR: source })
    expect(backup.code, backup.stderr).toBe(0)
    const target = join(dir, 'target')
    const restore = await runCli(['restore', '--in', file], { TESSERA_DATA_DIR: target })
    expect(restore.code, restore.stderr).toBe(0)
    expect(await embeddedRowCounts(target)).toEqual(before)

    const again = await runCli(['restore', '--in', file], { TESSERA_DATA_DIR: target })
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('already holds a database')
  })

  it('refuses a file that is not a backup', async () => {
    const file = join(dir, 'not-a-backup.txt')
    writeFileSync(file, 'hello')
    const result = await runCli(['restore', '--in', file], { TESSERA_DATA_DIR: join(dir, 'never') })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('is not an embedded-database backup')
  })
})

describe.runIf(onServer())('backup and restore (PostgreSQL server)', () => {
  it('restores into an empty database with identical row counts per table', async () => {
    const database = await createTestDatabase()
    const blank = await createBlankServerDatabase()
    try {
      for (const name of ['Alpha', 'Beta', 'Gamma'])
        await createTenant(database.db, { name, company: { currency: 'EUR' } })
      const before = await rowCounts(database.db)
      expect(before.tenants).toBe(3)
      const file = join(dir, 'server.backup')
      const backup = await runCli(['backup', '--out', file], { DATABASE_URL: database.url })
      expect(backup.code, backup.stderr).toBe(0)
      const restore = await runCli(['restore', '--in', file], { DATABASE_URL: blank.url })
      expect(restore.code, restore.stderr).toBe(0)
      const restored = await openDatabase({ kind: 'server', url: blank.url, poolSize: 1 })
      try {
        expect(await rowCounts(restored.db)).toEqual(before)
      } finally {
        await restored.close()
      }
      const again = await runCli(['restore', '--in', file], { DATABASE_URL: blank.url })
      expect(again.code).toBe(1)
      expect(again.stderr).toContain('not empty')
    } finally {
      await blank.drop()
      await database.close()
    }
  })
})
