import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  type Database,
  findTenantBySlug,
  OWNER_ROLE,
  openDatabase,
  recordSecurityEvent,
  withTenant,
} from '@tessera/kernel'
import { createTestDatabase, onServer, runCli, type TestDatabase } from '@tessera/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/**
 * `tessera audit verify` as a process, on a real data folder or server database. Each run starts
 * a process that opens the database, so these tests get more time than the default.
 */
let dir: string
let server: TestDatabase | undefined
let env: Record<string, string>

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-audit-cli-'))
  if (onServer()) {
    server = await createTestDatabase()
    env = { DATABASE_URL: server.url as string }
  } else {
    env = { TESSERA_DATA_DIR: join(dir, 'data') }
  }
})
afterAll(async () => {
  await server?.close()
  rmSync(dir, { recursive: true, force: true })
})

/** The database as this test process reaches it; an embedded folder is opened only while the CLI is not. */
async function inDatabase<T>(fn: (database: Database) => Promise<T>): Promise<T> {
  if (server) return fn(server)
  const database = await openDatabase({ kind: 'embedded', dataDir: env.TESSERA_DATA_DIR as string })
  try {
    return await fn(database)
  } finally {
    await database.close()
  }
}

describe('tessera audit verify', () => {
  it('reports the rows verified (exit 0), then the first broken link (exit 1)', async () => {
    const created = await runCli(
      ['tenant', 'create', '--name', 'Audited Co', '--slug', 'audited', '--json'],
      env,
    )
    expect(created.code, created.stderr).toBe(0)
    const empty = await runCli(['audit', 'verify', '--tenant', 'audited'], env)
    expect(empty.code, empty.stderr).toBe(0)
    expect(empty.stdout).toMatch(/^0 rows verified/)

    const ids = await inDatabase(async ({ db }) => {
      const tenant = await findTenantBySlug(db, 'audited')
      if (!tenant) throw new Error('tenant missing')
      for (const reason of ['wrong_password', 'locked', 'disabled'])
        await withTenant(db, tenant.id, (trx) =>
          recordSecurityEvent(
            trx,
            tenant.id,
            'login.failed',
            { ip: null, userAgent: null },
            { details: { reason } },
          ),
        )
      const rows = await withTenant(db, tenant.id, (trx) =>
        sql<{ id: string }>`select id from audit_log order by seq`.execute(trx),
      )
      return { tenant: tenant.id, rows: rows.rows.map((r) => r.id) }
    })
    const ok = await runCli(['audit', 'verify', '--tenant', 'audited'], env)
    expect(ok.code, ok.stderr).toBe(0)
    expect(ok.stdout).toMatch(/^3 rows verified; head hash [0-9a-f]{64}\.\n$/)

    // the owner edits the second row behind the trigger's back
    await inDatabase(({ db }) =>
      db.transaction().execute(async (trx) => {
        await sql`select set_config('role', ${OWNER_ROLE}, true), set_config('app.tenant_id', ${ids.tenant}, true)`.execute(
          trx,
        )
        await sql`alter table audit_log disable trigger audit_log_append_only`.execute(trx)
        await sql`update audit_log set new_values = '{"details": {"reason": "nothing happened"}}' where id = ${ids.rows[1]}`.execute(
          trx,
        )
        await sql`alter table audit_log enable trigger audit_log_append_only`.execute(trx)
      }),
    )
    const broken = await runCli(['audit', 'verify', '--tenant', 'audited'], env)
    expect(broken.code).toBe(1)
    expect(broken.stdout).toContain(`at seq 2 (id ${ids.rows[1]})`)
    expect(broken.stdout).toContain('1 row before it verified')
    const json = await runCli(['audit', 'verify', '--tenant', 'audited', '--json'], env)
    expect(json.code).toBe(1)
    expect(JSON.parse(json.stdout)).toMatchObject({
      tenant: 'audited',
      verified: 1,
      broken: { seq: 2, id: ids.rows[1] },
    })
  }, 300_000)

  it('refuses an unknown tenant (exit 1) and a missing --tenant (exit 2)', async () => {
    const unknown = await runCli(['audit', 'verify', '--tenant', 'no-such-tenant'], env)
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain('No tenant has the slug "no-such-tenant"')
    const missing = await runCli(['audit', 'verify'], env)
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/required option '--tenant <slug>'/)
  }, 120_000)
})
