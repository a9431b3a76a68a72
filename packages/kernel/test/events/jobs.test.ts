import {
  createJobs,
  createTenant,
  enqueueDueSchedules,
  firesAt,
  type Jobs,
  loadConfig,
  withTenant,
} from '@tessera/kernel'
import { createTestDatabase, type TestDatabase } from '@tessera/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let database: TestDatabase
let jobs: Jobs
let tenantA: string
let tenantB: string
beforeAll(async () => {
  database = await createTestDatabase()
  jobs = createJobs(database, { worker: true, pollingIntervalSeconds: 0.5 })
  const company = { currency: 'EUR', timezone: 'UTC' }
  tenantA = (await createTenant(database.db, { name: 'Jobs A', company })).tenant.id
  tenantB = (await createTenant(database.db, { name: 'Jobs B', company })).tenant.id
})
afterAll(async () => {
  await jobs?.stop()
  await database?.close()
})

/** Waits for `condition`, failing after a generous deadline (a wait, not a timing assertion). */
async function until(condition: () => boolean | Promise<boolean>, deadlineMs = 60_000): Promise<void> {
  const end = Date.now() + deadlineMs
  while (!(await condition())) {
    if (Date.now() > end) throw new Error('gave up waiting')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

describe('jobs', () => {
  it('run their work inside their tenant', async () => {
    const seen: { tenantId: string; data: unknown; companies: string[] }[] = []
    await jobs.work<{ n: number }>('test.tenant-work', async (job) => {
      const companies = await job.inTenant(async (trx) =>
        (await trx.selectFrom('companies').select('name').execute()).map((c) => c.name),
      )
      seen.push({ tenantId: job.tenantId, data: job.data, companies })
    })
    await jobs.enqueue('test.tenant-work', { n: 1 }, { tenantId: tenantA })
    await jobs.enqueue('test.tenant-work', { n: 2 }, { tenantId: tenantB })
    await until(() => seen.length === 2)
    expect(seen).toEqual(
      expect.arrayContaining([
        { tenantId: tenantA, data: { n: 1 }, companies: ['Jobs A'] },
        { tenantId: tenantB, data: { n: 2 }, companies: ['Jobs B'] },
      ]),
    )
  })

  it('enqueued in a transaction exist only if it commits', async () => {
    const ran: number[] = []
    await jobs.prepare(['test.transactional'])
    class Rollback extends Error {}
    await expect(
      withTenant(database.db, tenantA, async (trx) => {
        await jobs.enqueue('test.transactional', { n: 1 }, { tenantId: tenantA, transaction: trx })
        throw new Rollback()
      }),
    ).rejects.toBeInstanceOf(Rollback)
    await withTenant(database.db, tenantA, async (trx) => {
      await jobs.enqueue('test.transactional', { n: 2 }, { tenantId: tenantA, transaction: trx })
      // the transaction is still the tenant's, as the application role, after enqueueing
      const { rows } = await sql<{ role: string; tenant: string }>`
        select current_user as role, current_setting('app.tenant_id') as tenant`.execute(trx)
      expect(rows[0]).toEqual({ role: 'tessera_app', tenant: tenantA })
    })
    await jobs.work<{ n: number }>('test.transactional', async (job) => void ran.push(job.data.n))
    await until(() => ran.length >= 1)
    expect(ran).toEqual([2])
    await expect(
      withTenant(database.db, tenantA, (trx) =>
        jobs.enqueue('test.never-prepared', {}, { tenantId: tenantA, transaction: trx }),
      ),
    ).rejects.toThrow(/not prepared/)
  })

  it('are retried, then listed as dead letters with their last error', async () => {
    let attempts = 0
    await jobs.work('test.always-fails', async () => {
      attempts += 1
      throw new Error(`attempt ${attempts} failed`)
    })
    await jobs.enqueue(
      'test.always-fails',
      { order: 42 },
      { tenantId: tenantA, retryLimit: 2, retryDelaySeconds: 0, retryBackoff: false },
    )
    await until(async () => (await jobs.deadLetters()).some((d) => d.queue === 'test.always-fails'))
    expect(attempts).toBe(3)
    const [dead] = (await jobs.deadLetters()).filter((d) => d.queue === 'test.always-fails')
    expect(dead).toMatchObject({ tenantId: tenantA, data: { order: 42 }, error: 'attempt 3 failed' })
  })

  it('refuse a job without a tenant', async () => {
    await expect(jobs.enqueue('test.tenant-work', {}, { tenantId: 'nobody' })).rejects.toThrow(/tenant/)
  })
})

describe('schedules per tenant', () => {
  it('enqueue each tenant’s due jobs with that tenant’s data, once a minute', async () => {
    const ran: { tenantId: string; data: unknown }[] = []
    await jobs.work(
      'test.every-minute',
      async (job) => void ran.push({ tenantId: job.tenantId, data: job.data }),
    )
    await jobs.schedule('test.every-minute', '* * * * *', { report: 'a' }, { tenantId: tenantA })
    await jobs.schedule('test.every-minute', '0 0 1 1 *', { report: 'b' }, { tenantId: tenantB })
    const minute = Math.floor(Date.now() / 60_000)
    await enqueueDueSchedules(database.db, jobs)
    await enqueueDueSchedules(database.db, jobs)
    await until(() => ran.length >= 1)
    expect(ran[0]).toEqual({ tenantId: tenantA, data: { report: 'a' } })
    // a second tick in the same minute enqueues nothing more
    if (Math.floor(Date.now() / 60_000) === minute)
      expect(ran.filter((r) => r.tenantId === tenantA)).toHaveLength(1)
    expect(ran.some((r) => r.tenantId === tenantB)).toBe(false)
    // a schedule is tenant data: the other tenant does not see it
    const visible = await withTenant(database.db, tenantB, async (trx) => {
      const { rows } = await sql<{ data: unknown }>`select data from job_schedules`.execute(trx)
      return rows
    })
    expect(visible).toEqual([{ data: { report: 'b' } }])
    await jobs.unschedule('test.every-minute', { tenantId: tenantA })
  })

  it.each([
    ['a cron of six fields', '0 0 3 * * *', 'cron'],
    ['nonsense', 'every day', 'cron'],
    ['an unknown time zone', '0 3 * * *', 'timezone'],
    ['a bad job name', '0 3 * * *', 'name'],
  ])('refuse %s, naming the field', async (label, cron, field) => {
    const name = field === 'name' ? 'Bad Name!' : 'test.nightly'
    const timezone = field === 'timezone' ? 'Mars/Olympus' : 'UTC'
    const error = await jobs.schedule(name, cron, {}, { tenantId: tenantA, timezone }).catch((err) => err)
    expect(error, label).toMatchObject({ status: 400, errors: [expect.objectContaining({ field })] })
  })

  it('fire in the minutes their cron names, in their time zone', () => {
    const at = (iso: string) => new Date(iso)
    expect(firesAt('0 3 * * *', 'UTC', at('2026-03-01T03:00:00Z'))).toBe(true)
    expect(firesAt('0 3 * * *', 'UTC', at('2026-03-01T03:01:00Z'))).toBe(false)
    expect(firesAt('0 3 * * *', 'Europe/Paris', at('2026-03-01T02:00:00Z'))).toBe(true)
    expect(firesAt('*/15 * * * 1', 'UTC', at('2026-03-02T10:45:00Z'))).toBe(true)
  })
})

describe('configuration', () => {
  it('reads TESSERA_WORKER (on by default, off disables) and NATS_URL', () => {
    expect(loadConfig({}).worker).toBe(true)
    expect(loadConfig({ TESSERA_WORKER: 'off' }).worker).toBe(false)
    expect(loadConfig({ TESSERA_WORKER: 'on' }).worker).toBe(true)
    expect(() => loadConfig({ TESSERA_WORKER: 'sometimes' })).toThrow(/TESSERA_WORKER/)
    expect(loadConfig({}).natsUrl).toBeUndefined()
    expect(loadConfig({ NATS_URL: 'nats://127.0.0.1:4222' }).natsUrl).toBe('nats://127.0.0.1:4222')
  })
})
