import { OWNER_ROLE, type Tx, verifyAuditChain, withTenant } from '@tessera/kernel'
import { createTestApp, type TestApp } from '@tessera/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addMember, call, createRole, type Member } from '../access/helpers.ts'
import type { SignedUp } from '../auth/helpers.ts'
import { api, create, fieldCodes, tenantWith } from '../entities/helpers.ts'
import { catalogModule } from '../fixtures/modules/catalog.ts'

/** The audit trail through the generic API: what each change records, who may read it, and how. */
let t: TestApp
let owner: SignedUp
let auditor: Member
let clerk: Member
beforeAll(async () => {
  t = await createTestApp({ modules: [catalogModule] })
  owner = await tenantWith(t, ['catalog'])
  await createRole(t, owner.accessToken, 'auditor', ['kernel.audit:read', 'catalog.item:read'])
  await createRole(t, owner.accessToken, 'clerk', ['catalog.item:read', 'catalog.item:create'])
  const hidden = await call(t, owner.accessToken, 'POST', '/api/v1/access/field-rules', {
    role: 'auditor',
    entity: 'catalog.item',
    field: 'secret_note',
    access: 'hidden',
  })
  expect(hidden.statusCode, hidden.body).toBe(201)
  auditor = await addMember(t, owner, ['auditor'])
  clerk = await addMember(t, owner, ['clerk'])
})
afterAll(async () => t?.close())

interface AuditRow {
  id: string
  seq: number
  occurred_at: string
  user_id: string | null
  api_key_id: string | null
  request_id: string | null
  entity: string
  record_id: string
  action: string
  old_values: Record<string, unknown> | null
  new_values: Record<string, unknown> | null
}

const audit = (token: string, query = '') => api(t, token, 'GET', `/api/v1/audit${query}`)

/** A record's history, newest first, as `token` sees it. */
async function history(entity: string, id: string, token = owner.accessToken): Promise<AuditRow[]> {
  const res = await audit(token, `?entity=${entity}&record=${id}`)
  expect(res.statusCode, res.body).toBe(200)
  return res.json().data
}

const ITEM = {
  name: 'Widget',
  code: 'WD-001',
  kind: 'good',
  quantity: 5,
  price: { amount: '19.90', currency: 'EUR' },
  colours: ['red', 'blue'],
}
const withRequestId = (id: string) => ({ 'x-request-id': id })

describe('what a change records', () => {
  it('create, update and archive: the member, the request and the changed values', async () => {
    const created = await api(
      t,
      owner.accessToken,
      'POST',
      '/api/v1/catalog-items',
      ITEM,
      withRequestId('audit-create-1'),
    )
    expect(created.statusCode, created.body).toBe(201)
    const item = created.json()
    const patched = await api(
      t,
      owner.accessToken,
      'PATCH',
      `/api/v1/catalog-items/${item.id}`,
      { quantity: 7, name: 'Gadget' },
      withRequestId('audit-update-1'),
    )
    expect(patched.statusCode, patched.body).toBe(200)
    const archived = await api(
      t,
      owner.accessToken,
      'DELETE',
      `/api/v1/catalog-items/${item.id}`,
      undefined,
      withRequestId('audit-archive-1'),
    )
    expect(archived.statusCode).toBe(204)

    const [archive, update, creation, ...rest] = await history('catalog.item', item.id)
    expect(rest).toEqual([])
    const who = { user_id: owner.userId, api_key_id: null, entity: 'catalog.item', record_id: item.id }
    expect(creation).toMatchObject({
      ...who,
      action: 'create',
      request_id: 'audit-create-1',
      old_values: null,
    })
    expect(creation?.new_values).toMatchObject({
      ...ITEM,
      id: item.id,
      active: true,
      version: 1,
      created_by: owner.userId,
      display_name: '[WD-001] Widget',
    })
    // only what has a value; updated_at/updated_by repeat the row's own time and member
    for (const absent of ['description', 'parent', 'secret_note', 'updated_at', 'updated_by', 'custom'])
      expect(creation?.new_values).not.toHaveProperty(absent)
    expect(update).toMatchObject({ ...who, action: 'update', request_id: 'audit-update-1' })
    expect(update?.old_values).toEqual({
      name: 'Widget',
      quantity: 5,
      display_name: '[WD-001] Widget',
      version: 1,
    })
    expect(update?.new_values).toEqual({
      name: 'Gadget',
      quantity: 7,
      display_name: '[WD-001] Gadget',
      version: 2,
    })
    expect(archive).toMatchObject({ ...who, action: 'archive', request_id: 'audit-archive-1' })
    expect(archive?.old_values).toEqual({ archived_at: null, version: 2 })
    expect(archive?.new_values).toEqual({ archived_at: expect.any(String), version: 3 })
    expect(new Date(creation?.occurred_at as string).toISOString()).toBe(creation?.occurred_at)
    expect([archive, update, creation].map((r) => r?.seq)).toEqual(
      [...[archive, update, creation].map((r) => r?.seq)].sort((a, b) => Number(b) - Number(a)),
    )
  })

  it('a workflow action, the lines of a document and a delete', async () => {
    const item = await create(t, owner.accessToken, 'catalog-items', { name: 'Line item', kind: 'good' })
    const order = await create(t, owner.accessToken, 'catalog-orders', {
      customer: 'Acme',
      ordered_on: '2026-05-04',
      lines: [{ item: item.id, quantity: '2' }],
    })
    const submitted = await api(
      t,
      owner.accessToken,
      'POST',
      `/api/v1/catalog-orders/${order.id}/actions/submit`,
      undefined,
      withRequestId('audit-submit-1'),
    )
    expect(submitted.statusCode, submitted.body).toBe(200)
    const [submit, creation] = await history('catalog.order', order.id)
    expect(creation).toMatchObject({ action: 'create', new_values: { customer: 'Acme', state: 'draft' } })
    expect(submit).toMatchObject({ action: 'submit', request_id: 'audit-submit-1', user_id: owner.userId })
    expect(submit?.old_values).toEqual({ state: 'draft', number: null, version: 1 })
    expect(submit?.new_values).toEqual({ state: 'submitted', number: submitted.json().number, version: 2 })

    const lines = (await audit(owner.accessToken, '?entity=catalog.order_line&action=create')).json().data
    expect(lines.find((l: AuditRow) => l.new_values?.order === order.id)?.new_values).toMatchObject({
      item: item.id,
      quantity: '2.000',
    })

    const label = await create(t, owner.accessToken, 'catalog-labels', { name: 'Fragile' })
    expect((await api(t, owner.accessToken, 'DELETE', `/api/v1/catalog-labels/${label.id}`)).statusCode).toBe(
      204,
    )
    const [deletion] = await history('catalog.label', label.id)
    expect(deletion).toMatchObject({ action: 'delete', new_values: null })
    expect(deletion?.old_values).toMatchObject({ id: label.id, name: 'Fragile', version: 1 })
  })

  it('a write with an API key names the key and its member', async () => {
    const key = await call(t, owner.accessToken, 'POST', '/api/v1/api-keys', {
      name: 'import',
      roles: ['owner'],
    })
    expect(key.statusCode, key.body).toBe(201)
    const item = await create(t, key.json().key, 'catalog-items', { name: 'By key', kind: 'good' })
    const [row] = await history('catalog.item', item.id)
    expect(row).toMatchObject({ action: 'create', user_id: owner.userId, api_key_id: key.json().id })
  })

  it('security events: a failed login and a role change', async () => {
    const failed = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: owner.email, password: 'not the password at all', tenant: owner.tenantSlug },
    })
    expect(failed.statusCode).toBe(401)
    const roles = (await call(t, owner.accessToken, 'GET', '/api/v1/roles')).json().data
    const role = roles.find((r: { key: string }) => r.key === 'clerk')
    const renamed = await call(
      t,
      owner.accessToken,
      'PATCH',
      `/api/v1/roles/${role.id}`,
      { permissions: ['catalog.item:read', 'catalog.item:create', 'catalog.label:read'] },
      role.version,
    )
    expect(renamed.statusCode, renamed.body).toBe(200)

    const events = (await audit(owner.accessToken, '?entity=kernel.security_event')).json().data as AuditRow[]
    expect(events.find((e) => e.action === 'login.failed')).toMatchObject({
      user_id: owner.userId,
      old_values: null,
      new_values: { details: { reason: 'wrong_password' } },
    })
    expect(events.find((e) => e.action === 'role.changed')).toMatchObject({
      user_id: owner.userId,
      new_values: { details: { role: 'clerk', after: expect.arrayContaining(['catalog.label:read']) } },
    })
    expect(JSON.stringify(events)).not.toContain('not the password at all')
    // the security log is for its own readers: an auditor without it sees none of it
    const hidden = await audit(auditor.token, '?entity=kernel.security_event')
    expect(hidden.json().data).toEqual([])
  })

  it('the chain of everything above verifies', async () => {
    const report = await verifyAuditChain(t.database.db, owner.tenantId)
    expect(report.broken).toBeNull()
    expect(report.verified).toBeGreaterThan(10)
  })
})

describe('the trail cannot be changed', () => {
  it('concurrent writes of one tenant keep one unforked chain', async () => {
    const tenant = await tenantWith(t, ['catalog'])
    const writes = await Promise.all(
      Array.from({ length: 12 }, (_x, n) =>
        api(t, tenant.accessToken, 'POST', '/api/v1/catalog-items', { name: `Parallel ${n}`, kind: 'good' }),
      ),
    )
    expect(writes.map((w) => w.statusCode)).toEqual(Array(12).fill(201))
    const rows = (await audit(tenant.accessToken, '?entity=catalog.item&limit=200')).json().data as AuditRow[]
    expect(rows).toHaveLength(12)
    const report = await verifyAuditChain(t.database.db, tenant.tenantId)
    expect(report.broken).toBeNull()
  })

  it('the app role cannot UPDATE or DELETE; an edit by the owner breaks verification at that row', async () => {
    const tenant = await tenantWith(t, ['catalog'])
    const item = await create(t, tenant.accessToken, 'catalog-items', ITEM)
    const patched = await api(t, tenant.accessToken, 'PATCH', `/api/v1/catalog-items/${item.id}`, {
      quantity: 6,
    })
    expect(patched.statusCode).toBe(200)
    const [update] = await history('catalog.item', item.id, tenant.accessToken)
    for (const statement of [sql`update audit_log set action = 'create'`, sql`delete from audit_log`])
      await expect(
        withTenant(t.database.db, tenant.tenantId, (trx) => statement.execute(trx)),
      ).rejects.toMatchObject({
        code: '42501',
      })
    expect((await verifyAuditChain(t.database.db, tenant.tenantId)).broken).toBeNull()

    await t.database.db.transaction().execute(async (trx: Tx) => {
      await sql`select set_config('role', ${OWNER_ROLE}, true), set_config('app.tenant_id', ${tenant.tenantId}, true)`.execute(
        trx,
      )
      await sql`alter table audit_log disable trigger audit_log_append_only`.execute(trx)
      await sql`update audit_log set new_values = '{"quantity": 60000, "version": 2}' where id = ${update?.id}`.execute(
        trx,
      )
      await sql`alter table audit_log enable trigger audit_log_append_only`.execute(trx)
    })
    const report = await verifyAuditChain(t.database.db, tenant.tenantId)
    expect(report.broken).toMatchObject({ seq: update?.seq, id: update?.id })
  })
})

describe('who reads what', () => {
  it("hides a field's values from a member whose role hides it, not from the owner", async () => {
    const item = await create(t, owner.accessToken, 'catalog-items', {
      name: 'Gold',
      kind: 'good',
      secret_note: 'vault 3',
    })
    const patched = await api(t, owner.accessToken, 'PATCH', `/api/v1/catalog-items/${item.id}`, {
      secret_note: 'vault 4',
      quantity: 1,
    })
    expect(patched.statusCode).toBe(200)
    const [ownerUpdate, ownerCreate] = await history('catalog.item', item.id)
    expect(ownerCreate?.new_values).toMatchObject({ secret_note: 'vault 3' })
    expect(ownerUpdate?.old_values).toMatchObject({ secret_note: 'vault 3', quantity: null })
    expect(ownerUpdate?.new_values).toMatchObject({ secret_note: 'vault 4', quantity: 1 })

    const seen = await audit(auditor.token, `?entity=catalog.item&record=${item.id}`)
    expect(seen.statusCode).toBe(200)
    expect(seen.body).not.toContain('vault')
    const [update, creation] = seen.json().data as AuditRow[]
    expect(creation?.new_values).toMatchObject({ name: 'Gold' })
    expect(update?.old_values).toEqual({ quantity: null, version: 1 })
    expect(update?.new_values).toEqual({ quantity: 1, version: 2 })
  })

  it('refuses a member without kernel.audit:read (403) and a caller without credentials (401)', async () => {
    const res = await audit(clerk.token)
    expect(res.statusCode).toBe(403)
    expect(res.json().code).toBe('permission_required')
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/audit' })).statusCode).toBe(401)
  })

  it("keeps another tenant's trail invisible", async () => {
    const item = await create(t, owner.accessToken, 'catalog-items', { name: 'Mine', kind: 'good' })
    const other = await tenantWith(t, ['catalog'])
    const res = await audit(other.accessToken, `?record=${item.id}`)
    expect(res.statusCode).toBe(200)
    expect(res.json().data).toEqual([])
    const all = await audit(other.accessToken, '?limit=200')
    expect(all.body).not.toContain(item.id)
    expect(all.body).not.toContain(owner.userId)
  })
})

describe('filters and pages', () => {
  it('by member, action, time and cursor', async () => {
    const start = new Date().toISOString()
    const made = [
      await create(t, clerk.token, 'catalog-items', { name: 'Clerk 1', kind: 'good' }),
      await create(t, clerk.token, 'catalog-items', { name: 'Clerk 2', kind: 'good' }),
      await create(t, clerk.token, 'catalog-items', { name: 'Clerk 3', kind: 'good' }),
    ]
    const mine = (
      await audit(owner.accessToken, `?member=${clerk.userId}&action=create&entity=catalog.item`)
    ).json()
    expect(mine.data.map((r: AuditRow) => r.record_id)).toEqual(made.map((m) => m.id).reverse())
    expect(mine.data.every((r: AuditRow) => r.user_id === clerk.userId)).toBe(true)

    const since = (
      await audit(
        owner.accessToken,
        `?from=${encodeURIComponent(start)}&member=${clerk.userId}&entity=catalog.item`,
      )
    ).json()
    expect(since.data.map((r: AuditRow) => r.record_id)).toEqual(made.map((m) => m.id).reverse())
    const until = (
      await audit(
        owner.accessToken,
        `?to=${encodeURIComponent(start)}&member=${clerk.userId}&entity=catalog.item`,
      )
    ).json()
    expect(until.data).toEqual([])

    const pages: string[] = []
    let cursor: string | null = null
    do {
      const res = await audit(
        owner.accessToken,
        `?member=${clerk.userId}&entity=catalog.item&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      )
      expect(res.statusCode, res.body).toBe(200)
      const page = res.json()
      expect(page.data.length).toBeLessThanOrEqual(2)
      pages.push(...page.data.map((r: AuditRow) => r.record_id))
      cursor = page.next_cursor
    } while (cursor)
    expect(pages).toEqual(made.map((m) => m.id).reverse())
  })

  it.each([
    ['a date that is not one', 'from=yesterday', 'from: format'],
    ['an impossible date', 'to=2026-02-30T10:00:00Z', 'to: format'],
    ['a date without time zone', 'from=2026-02-03T10:00:00', 'from: format'],
    ['to before from', 'from=2026-05-02T00:00:00Z&to=2026-05-01T00:00:00Z', 'to: before_from'],
    ['a limit over 200', 'limit=201', 'limit: pattern'],
    ['a limit of 0', 'limit=0', 'limit: pattern'],
    ['a limit that is no number', 'limit=ten', 'limit: pattern'],
    ['an unknown parameter', 'user=x', 'user: unknown_field'],
    ['a record id that is no UUID', 'record=42', 'record: format'],
    ['a member that is no UUID', "member=1' or '1'='1", 'member: format'],
    ['an entity that is no key', 'entity=Catalog', 'entity: pattern'],
    ['a bad cursor', 'cursor=-5', 'cursor: pattern'],
  ])('refuses %s with 400 naming the field', async (_name, query, expected) => {
    const res = await audit(owner.accessToken, `?${query}`)
    expect(res.statusCode, res.body).toBe(400)
    expect(res.headers['content-type']).toContain('application/problem+json')
    expect(fieldCodes(res)).toContain(expected)
  })
})
