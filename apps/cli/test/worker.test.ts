import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTenant, type Database, migrate, newId, withTenant } from '@tessera/kernel'
import { openRuntime } from '@tessera/server'
import { createTestDatabase, onServer, spawnCli, type TestDatabase } from '@tessera/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let dir: string
let server: TestDatabase | undefined
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-worker-'))
  if (onServer()) server = await createTestDatabase()
})
afterAll(async () => {
  await server?.close()
  rmSync(dir, { recursive: true, force: true })
})

/** The worker's database: the test's server database, or an embedded data folder. */
function env(): Record<string, string> {
  const dataDir = join(dir, 'data')
  return server
    ? { DATABASE_URL: server.url as string, TESSERA_DATA_DIR: dataDir }
    : { TESSERA_DATA_DIR: dataDir }
}

/** Opens the worker's database from this process (the embedded one only while no worker holds it). */
async function withDatabase<T>(fn: (database: Database) => Promise<T>): Promise<T> {
  const runtime = await openRuntime(env())
  try {
    await migrate(runtime.database.db, runtime.migrations)
    return await fn(runtime.database)
  } finally {
    await runtime.database.close()
  }
}

const delivered = (tenantId: string, eventId: string) =>
  withDatabase((database) =>
    withTenant(database.db, tenantId, async (trx) => {
      const { rows } = await sql<{ delivered_at: Date | null }>`select delivered_at from event_outbox
        where id = ${eventId}::uuid`.execute(trx)
      return rows[0]?.delivered_at ?? null
    }),
  )

describe('tessera worker', () => {
  it('delivers what was committed before it started, and on SIGTERM stops and exits 0', async () => {
    // an event committed while no worker ran, as after a crash between commit and delivery
    const { tenantId, eventId } = await withDatabase(async (database) => {
      const { tenant } = await createTenant(database.db, {
        name: 'Worker test',
        company: { currency: 'EUR', timezone: 'UTC' },
      })
      const id = newId()
      await withTenant(database.db, tenant.id, (trx) =>
        sql`insert into event_outbox (tenant_id, id, type, entity, record_id, payload)
            values (${tenant.id}::uuid, ${id}::uuid, 'test.thing.created', 'test.thing', ${newId()}::uuid,
                    ${JSON.stringify({ record: null, changed: [] })}::jsonb)`.execute(trx),
      )
      return { tenantId: tenant.id, eventId: id }
    })
    expect(await delivered(tenantId, eventId)).toBeNull()

    const child = spawnCli(['worker'], { ...env(), LOG_LEVEL: 'info' })
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
    let stdout = ''
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk) => {
        stdout += chunk
        if (stdout.includes('Tessera worker is running') && stdout.includes('events delivered')) resolve()
      })
      child.on('exit', (code) => reject(new Error(`exited early with ${code}: ${stdout}`)))
    })
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(stdout).toContain('worker shutting down')
    expect(await delivered(tenantId, eventId)).not.toBeNull()
  })
})
