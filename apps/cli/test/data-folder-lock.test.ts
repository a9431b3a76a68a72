import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DataDirLocked, openDatabase } from '@tessera/kernel'
import { runCli } from '@tessera/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// The lock guards the embedded database, so this file runs on it in both test runs.
let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-lock-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('embedded data folder lock', () => {
  it('refuses a second process on the same data folder with a clear message', async () => {
    const dataDir = join(dir, 'shared')
    const holder = await openDatabase({ kind: 'embedded', dataDir })
    try {
      const second = await runCli(['migrate'], { TESSERA_DATA_DIR: dataDir })
      expect(second.code).toBe(1)
      expect(second.stderr).toContain(
        `The data folder ${dataDir} is in use by another Tessera process (pid ${process.pid})`,
      )
      await expect(openDatabase({ kind: 'embedded', dataDir })).rejects.toBeInstanceOf(DataDirLocked)
    } finally {
      await holder.close()
    }
    const after = await runCli(['migrate'], { TESSERA_DATA_DIR: dataDir })
    expect(after.code, after.stderr).toBe(0)
  })

  it('takes over a lock left by a process that died', async () => {
    const dataDir = join(dir, 'stale')
    mkdirSync(dataDir, { recursive: true })
    writeFileSync(join(dataDir, 'tessera.lock'), '2147483646')
    const database = await openDatabase({ kind: 'embedded', dataDir })
    await database.close()
  })
})
