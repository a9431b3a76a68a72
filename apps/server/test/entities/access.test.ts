import { createTestApp, type TestApp } from '@tessera/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addMember, call, createRole, type Member } from '../access/helpers.ts'
import type { SignedUp } from '../auth/helpers.ts'
import { catalogModule } from '../fixtures/modules/catalog.ts'
import { api, create, fieldCodes, tenantWith } from './helpers.ts'

/** Rights, record rules, field masks and company scope, applied by the generic API itself. */
let t: TestApp
let owner: SignedUp
let clerk: Member
const q = encodeURIComponent
beforeAll(async () => {
  t = await createTestApp({ modules: [catalogModule] })
  owner = await tenantWith(t, ['catalog'])
  const read = ['read', 'create', 'update'].map((a) => `catalog.item:${a}`)
  await createRole(t, owner.accessToken, 'clerk', [
    ...read,
    'catalog.label:read',
    'catalog.order:read',
    'catalog.order:create',
  ])
  clerk = await addMember(t, owner, ['clerk'])
  for (const [role, entity, filter] of [
    ['clerk', 'catalog.item', "kind = 'service' or created_by = $user.id"],
  ]) {
    const res = await call(t, owner.accessToken, 'POST', '/api/v1/access/record-rules', {
      role,
      entity,
      filter,
    })
    expect(res.statusCode, res.body).toBe(201)
  }
  for (const [field, access] of [
    ['secret_note', 'hidden'],
    ['price', 'read_only'],
  ]) {
    const res = await call(t, owner.accessToken, 'POST', '/api/v1/access/field-rules', {
      role: 'clerk',
      entity: 'catalog.item',
      field,
      access,
    })
    expect(res.statusCode, res.body).toBe(201)
  }
  await create(t, owner.accessToken, 'catalog-items', {
    name: 'Consulting',
    kind: 'service',
    secret_note: 'margin 80%',
  })
  await create(t, owner.accessToken, 'catalog-items', {
    name: 'Gold bar',
    kind: 'good',
    secret_note: 'vault 3',
  })
})
afterAll(async () => t?.close())

const names = (res: { json(): { data: { name: string }[] } }) =>
  res
    .json()
    .data.map((r) => r.name)
    .sort()

describe('the generic API applies access control', () => {
  it('record rules narrow lists, gets, updates, deletes and filters through references', async () => {
    const own = await create(t, clerk.token, 'catalog-items', { name: 'Mine', kind: 'good' })
    const list = await api(t, clerk.token, 'GET', '/api/v1/catalog-items')
    expect(names(list)).toEqual(['Consulting', 'Mine'])
    const all = await api(
      t,
      owner.accessToken,
      'GET',
      `/api/v1/catalog-items?filter=${q("name = 'Gold bar'")}`,
    )
    const gold = all.json().data[0].id
    expect((await api(t, clerk.token, 'GET', `/api/v1/catalog-items/${gold}`)).statusCode).toBe(404)
    expect(
      (await api(t, clerk.token, 'PATCH', `/api/v1/catalog-items/${gold}`, { name: 'x' })).statusCode,
    ).toBe(404)
    // a child of the hidden item, visible to the clerk by its kind, cannot reveal its parent's name
    await create(t, owner.accessToken, 'catalog-items', { name: 'Gold dust', kind: 'service', parent: gold })
    const probe = await api(
      t,
      clerk.token,
      'GET',
      `/api/v1/catalog-items?filter=${q("parent.name = 'Gold bar'")}`,
    )
    expect(probe.json().data).toEqual([])
    const ref = await api(t, clerk.token, 'POST', '/api/v1/catalog-items', {
      name: 'Child',
      kind: 'good',
      parent: gold,
    })
    expect(ref.statusCode).toBe(404)
    expect(own.created_by).toBe(clerk.userId)
  })

  it('hidden fields are never returned nor filterable; read-only ones refuse writes with 403', async () => {
    const list = await api(t, clerk.token, 'GET', '/api/v1/catalog-items')
    for (const row of list.json().data) expect(row).not.toHaveProperty('secret_note')
    const filter = await api(
      t,
      clerk.token,
      'GET',
      `/api/v1/catalog-items?filter=${q("secret_note = 'vault 3'")}`,
    )
    expect(filter.statusCode).toBe(400)
    expect((await api(t, clerk.token, 'GET', '/api/v1/catalog-items?sort=secret_note')).statusCode).toBe(400)
    expect((await api(t, clerk.token, 'GET', '/api/v1/catalog-items?fields=secret_note')).statusCode).toBe(
      400,
    )
    const write = await api(t, clerk.token, 'POST', '/api/v1/catalog-items', {
      name: 'Priced',
      kind: 'good',
      price: { amount: '1.00', currency: 'EUR' },
    })
    expect(write.statusCode).toBe(403)
    expect(write.json().detail).toContain('price')
    const hidden = await api(t, clerk.token, 'POST', '/api/v1/catalog-items', {
      name: 'S',
      kind: 'good',
      secret_note: 'x',
    })
    expect(hidden.statusCode).toBe(403)
  })

  it('a role that does not read the entity (User) lifts neither its record rules nor its masks', async () => {
    const both = await addMember(t, owner, ['clerk', 'user'])
    const list = await api(t, both.token, 'GET', '/api/v1/catalog-items')
    expect(names(list)).not.toContain('Gold bar')
    for (const row of list.json().data) expect(row).not.toHaveProperty('secret_note')
    const write = await api(t, both.token, 'POST', '/api/v1/catalog-items', {
      name: 'Priced',
      kind: 'good',
      price: { amount: '1.00', currency: 'EUR' },
    })
    expect(write.statusCode).toBe(403)
  })

  it('rights: no right is 403 and nothing is written', async () => {
    const del = await api(t, clerk.token, 'GET', '/api/v1/catalog-items')
    const id = del.json().data[0].id
    expect((await api(t, clerk.token, 'DELETE', `/api/v1/catalog-items/${id}`)).statusCode).toBe(403)
    const label = await api(t, clerk.token, 'POST', '/api/v1/catalog-labels', { name: 'nope' })
    expect(label.statusCode).toBe(403)
    expect(label.json().code).toBe('permission_required')
    const bulk = await api(t, clerk.token, 'POST', '/api/v1/catalog-labels/bulk', {
      records: [{ name: 'nope' }],
    })
    expect(bulk.statusCode).toBe(403)
    const labels = await api(
      t,
      owner.accessToken,
      'GET',
      `/api/v1/catalog-labels?filter=${q("name = 'nope'")}`,
    )
    expect(labels.json().data).toEqual([])
  })

  it('company scope: records of companies the member is not allowed in are invisible', async () => {
    const beta = await call(t, owner.accessToken, 'POST', '/api/v1/companies', {
      name: 'Beta',
      currency: 'EUR',
      country: 'FR',
    })
    expect(beta.statusCode, beta.body).toBe(201)
    const item = (await create(t, owner.accessToken, 'catalog-items', { name: 'Svc', kind: 'service' })).id
    const body = {
      customer: 'Beta client',
      ordered_on: '2026-01-01',
      company_id: beta.json().id,
      lines: [{ item, quantity: '1' }],
    }
    const inBeta = await create(t, owner.accessToken, 'catalog-orders', body)
    const clerkList = await api(t, clerk.token, 'GET', '/api/v1/catalog-orders')
    expect(clerkList.json().data.map((o: { id: string }) => o.id)).not.toContain(inBeta.id)
    expect((await api(t, clerk.token, 'GET', `/api/v1/catalog-orders/${inBeta.id}`)).statusCode).toBe(404)
    const foreign = await api(t, clerk.token, 'POST', '/api/v1/catalog-orders', body)
    expect(foreign.statusCode).toBe(404)
    expect(fieldCodes(foreign)).toEqual(['company_id: not_found'])
    const own = await create(t, clerk.token, 'catalog-orders', { ...body, company_id: undefined })
    expect(own.company_id).not.toBe(beta.json().id)
  })

  it('an unactivated module answers 404 for its resources', async () => {
    const stranger = await tenantWith(t, [])
    const res = await api(t, stranger.accessToken, 'GET', '/api/v1/catalog-items')
    expect(res.statusCode).toBe(404)
  })
})
