import {
  type AuditEntry,
  appendAudit,
  auditTx,
  chainHash,
  contentOf,
  createTenant,
  type Db,
  newId,
  OWNER_ROLE,
  recordSecurityEvent,
  SECURITY_EVENT_ENTITY,
  type Tx,
  verifyAuditChain,
  withTenant,
} from '@tessera/kernel'
import { createTestDatabase, type TestDatabase } from '@tessera/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/** The audit chain on the database itself: appending, concurrency, insert-only, tampering. */
let database: TestDatabase
let db: Db
beforeAll(async () => {
  database = await createTestDatabase()
  db = database.db
})
afterAll(() => database.close())

let counter = 0
async function tenant() {
  counter += 1
  return (await createTenant(db, { name: `Audit ${counter} ${newId()}`, company: { currency: 'EUR' } }))
    .tenant
}

const entry = (tenantId: string, n: number): AuditEntry => ({
  tenantId,
  userId: newId(),
  apiKeyId: null,
  requestId: `req-${n}`,
  entity: 'catalog.item',
  recordId: newId(),
  action: 'update',
  oldValues: { quantity: n, price: { amount: '1.50', currency: 'EUR' }, when: new Date(0) },
  newValues: { quantity: n + 1, labels: ['b', 'a'], note: 'é "quoted" \\ {}', ratio: 0.1 },
})

async function append(tenantId: string, count: number) {
  for (let n = 1; n <= count; n += 1)
    await withTenant(db, tenantId, (trx) => appendAudit(trx, entry(tenantId, n)))
}

/** The tenant's rows in chain order, read as the application role. */
function rows(tenantId: string) {
  return withTenant(db, tenantId, (trx) =>
    auditTx(trx).selectFrom('audit_log').selectAll().orderBy('seq').execute(),
  )
}

/** Runs `fn` as the table owner inside the tenant, with the append-only trigger switched off. */
function asOwnerWithoutTrigger(tenantId: string, fn: (trx: Tx) => Promise<unknown>) {
  return db.transaction().execute(async (trx) => {
    await sql`select set_config('role', ${OWNER_ROLE}, true), set_config('app.tenant_id', ${tenantId}, true)`.execute(
      trx,
    )
    await sql`alter table audit_log disable trigger audit_log_append_only`.execute(trx)
    await fn(trx)
    await sql`alter table audit_log enable trigger audit_log_append_only`.execute(trx)
  })
}

describe('appending to the chain', () => {
  it('numbers rows 1, 2, 3 per tenant, links them, and verifies', async () => {
    const a = await tenant()
    const b = await tenant()
    await append(a.id, 3)
    await append(b.id, 2)
    const chain = await rows(a.id)
    expect(chain.map((r) => Number(r.seq))).toEqual([1, 2, 3])
    expect(chain[0]?.prev_hash).toBe('0'.repeat(64))
    expect(chain[1]?.prev_hash).toBe(chain[0]?.hash)
    expect(chain[0]).toMatchObject({
      request_id: 'req-1',
      old_values: {
        quantity: 1,
        price: { amount: '1.50', currency: 'EUR' },
        when: '1970-01-01T00:00:00.000Z',
      },
      new_values: { quantity: 2, labels: ['b', 'a'], note: 'é "quoted" \\ {}', ratio: 0.1 },
    })
    expect(chain[0]?.occurred_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
    expect(await verifyAuditChain(db, a.id)).toMatchObject({
      verified: 3,
      broken: null,
      head: chain[2]?.hash,
    })
    expect(await verifyAuditChain(db, b.id)).toMatchObject({ verified: 2, broken: null })
  })

  it("keeps each tenant's rows invisible to the others", async () => {
    const a = await tenant()
    const b = await tenant()
    await append(a.id, 2)
    expect(await rows(b.id)).toEqual([])
    const seen = await withTenant(db, b.id, (trx) =>
      auditTx(trx).selectFrom('audit_log').select('id').where('tenant_id', '=', a.id).execute(),
    )
    expect(seen).toEqual([])
    // and a row for another tenant cannot be written from inside this one
    await expect(withTenant(db, b.id, (trx) => appendAudit(trx, entry(a.id, 1)))).rejects.toMatchObject({
      code: '42501',
    })
  })

  it('gives a rolled-back number back: no gap, no fork', async () => {
    const a = await tenant()
    await append(a.id, 1)
    await expect(
      withTenant(db, a.id, async (trx) => {
        await appendAudit(trx, entry(a.id, 2))
        throw new Error('the write failed')
      }),
    ).rejects.toThrow('the write failed')
    await append(a.id, 1)
    expect((await rows(a.id)).map((r) => Number(r.seq))).toEqual([1, 2])
    expect((await verifyAuditChain(db, a.id)).broken).toBeNull()
  })

  it('serialises concurrent writers of one tenant: every seq once, the chain unforked', async () => {
    const a = await tenant()
    const b = await tenant()
    const writers = Array.from({ length: 24 }, (_x, n) => {
      const id = n % 3 === 0 ? b.id : a.id
      return withTenant(db, id, async (trx) => {
        await appendAudit(trx, entry(id, n))
        await appendAudit(trx, entry(id, n + 100))
      })
    })
    await Promise.all(writers)
    const seqs = (await rows(a.id)).map((r) => Number(r.seq))
    expect(seqs).toEqual(Array.from({ length: 32 }, (_x, i) => i + 1))
    expect(await verifyAuditChain(db, a.id)).toMatchObject({ verified: 32, broken: null })
    expect(await verifyAuditChain(db, b.id)).toMatchObject({ verified: 16, broken: null })
  })

  it('records every security event in the same transaction', async () => {
    const a = await tenant()
    const userId = newId()
    await withTenant(db, a.id, (trx) =>
      recordSecurityEvent(
        trx,
        a.id,
        'login.failed',
        { ip: '203.0.113.9', userAgent: 'test' },
        { userId, details: { reason: 'wrong_password' } },
      ),
    )
    await expect(
      withTenant(db, a.id, async (trx) => {
        await recordSecurityEvent(trx, a.id, 'role.changed', { ip: null, userAgent: null }, { userId })
        throw new Error('rolled back')
      }),
    ).rejects.toThrow('rolled back')
    const [row, ...rest] = await rows(a.id)
    expect(rest).toEqual([])
    const event = await withTenant(db, a.id, (trx) =>
      trx.selectFrom('security_events').select(['id', 'type']).executeTakeFirstOrThrow(),
    )
    expect(row).toMatchObject({
      entity: SECURITY_EVENT_ENTITY,
      record_id: event.id,
      action: 'login.failed',
      user_id: userId,
      old_values: null,
      new_values: { ip: '203.0.113.9', user_agent: 'test', details: { reason: 'wrong_password' } },
    })
  })
})

describe('the trail is insert-only', () => {
  it.each([
    ['UPDATE', sql`update audit_log set action = 'forged'`],
    ['DELETE', sql`delete from audit_log`],
    ['TRUNCATE', sql`truncate audit_log`],
    ['DELETE of the chain head', sql`delete from audit_heads`],
  ])('refuses %s to the application role', async (_name, statement) => {
    const a = await tenant()
    await append(a.id, 2)
    await expect(withTenant(db, a.id, (trx) => statement.execute(trx))).rejects.toMatchObject({
      code: '42501',
      message: expect.stringMatching(/permission denied/),
    })
    expect(await verifyAuditChain(db, a.id)).toMatchObject({ verified: 2, broken: null })
  })

  it.each([
    ['UPDATE', sql`update audit_log set action = 'forged'`],
    ['DELETE', sql`delete from audit_log`],
    ['TRUNCATE', sql`truncate audit_log`],
  ])('refuses %s to the owner too, by trigger', async (_name, statement) => {
    const a = await tenant()
    await append(a.id, 1)
    const attempt = db.transaction().execute(async (trx) => {
      await sql`select set_config('role', ${OWNER_ROLE}, true), set_config('app.tenant_id', ${a.id}, true)`.execute(
        trx,
      )
      await statement.execute(trx)
    })
    await expect(attempt).rejects.toMatchObject({ message: expect.stringMatching(/append-only/) })
    expect(await verifyAuditChain(db, a.id)).toMatchObject({ verified: 1, broken: null })
  })
})

describe('verification finds the first broken link', () => {
  it('at a row whose content was edited', async () => {
    const a = await tenant()
    await append(a.id, 4)
    const third = (await rows(a.id))[2]
    await asOwnerWithoutTrigger(a.id, (trx) =>
      sql`update audit_log set new_values = jsonb_set(new_values, '{quantity}', '999') where id = ${third?.id}`.execute(
        trx,
      ),
    )
    expect(await verifyAuditChain(db, a.id)).toMatchObject({
      verified: 2,
      broken: { seq: 3, id: third?.id, reason: expect.stringMatching(/content/) },
    })
  })

  it('after a row whose hash was recomputed to match its edit: the next row no longer links', async () => {
    const a = await tenant()
    await append(a.id, 3)
    const [first, second, third] = await rows(a.id)
    if (!first || !second || !third) throw new Error('three rows expected')
    const rehashed = chainHash(contentOf({ ...second, action: 'create' }), first.hash)
    await asOwnerWithoutTrigger(a.id, (trx) =>
      sql`update audit_log set action = 'create', hash = ${rehashed} where id = ${second.id}`.execute(trx),
    )
    expect(await verifyAuditChain(db, a.id)).toMatchObject({
      verified: 2,
      broken: { seq: 3, id: third.id, reason: expect.stringMatching(/prev_hash/) },
    })
  })

  it('where a row was deleted from the middle or the end', async () => {
    const a = await tenant()
    await append(a.id, 4)
    const chain = await rows(a.id)
    await asOwnerWithoutTrigger(a.id, (trx) =>
      sql`delete from audit_log where id = ${chain[1]?.id}`.execute(trx),
    )
    expect(await verifyAuditChain(db, a.id)).toMatchObject({
      verified: 1,
      broken: { seq: 2, id: null, reason: 'row 2 is missing' },
    })
    const b = await tenant()
    await append(b.id, 3)
    const tail = (await rows(b.id))[2]
    await asOwnerWithoutTrigger(b.id, (trx) => sql`delete from audit_log where id = ${tail?.id}`.execute(trx))
    expect(await verifyAuditChain(db, b.id)).toMatchObject({ verified: 2, broken: { seq: 3, id: null } })
  })

  it('at a forged row inserted past the chain head', async () => {
    const a = await tenant()
    await append(a.id, 2)
    const last = (await rows(a.id))[1]
    const forged = newId()
    await withTenant(db, a.id, (trx) =>
      sql`insert into audit_log (tenant_id, id, seq, occurred_at, entity, record_id, action, prev_hash, hash)
          values (${a.id}, ${forged}, 3, '2026-01-01T00:00:00.000Z', 'catalog.item', ${newId()}, 'delete',
                  ${last?.hash}, ${'a'.repeat(64)})`.execute(trx),
    )
    expect(await verifyAuditChain(db, a.id)).toMatchObject({ verified: 2, broken: { seq: 3, id: forged } })
  })
})
