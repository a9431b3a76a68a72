import { createTestApp, onServer, type TestApp } from '@tessera/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SignedUp } from '../auth/helpers.ts'
import { catalogModule } from '../fixtures/modules/catalog.ts'
import { api, create, fieldCodes, tenantWith } from './helpers.ts'

let t: TestApp
let owner: SignedUp
let itemA: string
let itemB: string
beforeAll(async () => {
  t = await createTestApp({ modules: [catalogModule] })
  owner = await tenantWith(t, ['catalog'])
  itemA = (await create(t, owner.accessToken, 'catalog-items', { name: 'A', kind: 'good' })).id
  itemB = (await create(t, owner.accessToken, 'catalog-items', { name: 'B', kind: 'good' })).id
})
afterAll(async () => t?.close())

const order = (lines = [{ item: itemA, quantity: '2' }]) => ({
  customer: 'Acme',
  ordered_on: '2026-05-04',
  lines,
})
const post = (url: string, body?: unknown, headers = {}) =>
  api(t, owner.accessToken, 'POST', url, body, headers)
const get = (url: string) => api(t, owner.accessToken, 'GET', url)

describe('a document with its lines', () => {
  it('is created with its lines in one request, in the current company, as a draft', async () => {
    const created = await create(
      t,
      owner.accessToken,
      'catalog-orders',
      order([
        { item: itemA, quantity: '2' },
        { item: itemB, quantity: '0.5' },
      ]),
    )
    expect(created).toMatchObject({ state: 'draft', number: null, customer: 'Acme' })
    expect(created.company_id).toEqual(expect.any(String))
    const got = await get(`/api/v1/catalog-orders/${created.id}?include=lines`)
    expect(got.json().lines.map((l: { quantity: string }) => l.quantity)).toEqual(['2.000', '0.500'])
  })

  it('replaces its lines on PATCH: kept by id, added without, deleted when absent', async () => {
    const created = await create(
      t,
      owner.accessToken,
      'catalog-orders',
      order([
        { item: itemA, quantity: '1' },
        { item: itemB, quantity: '1' },
      ]),
    )
    const lines = (await get(`/api/v1/catalog-orders/${created.id}?include=lines`)).json().lines
    const res = await api(t, owner.accessToken, 'PATCH', `/api/v1/catalog-orders/${created.id}`, {
      lines: [
        { id: lines[0].id, quantity: '3' },
        { item: itemB, quantity: '4' },
      ],
    })
    expect(res.statusCode, res.body).toBe(200)
    const after = (await get(`/api/v1/catalog-orders/${created.id}?include=lines`)).json().lines
    expect(after.map((l: { quantity: string }) => l.quantity)).toEqual(['3.000', '4.000'])
    expect(after[0].id).toBe(lines[0].id)
  })

  it("refuses a line of another document, a line's parent reference and a bad line, naming it", async () => {
    const mine = await create(t, owner.accessToken, 'catalog-orders', order())
    const other = await create(t, owner.accessToken, 'catalog-orders', order())
    const foreignLine = (await get(`/api/v1/catalog-orders/${other.id}?include=lines`)).json().lines[0].id
    const stolen = await api(t, owner.accessToken, 'PATCH', `/api/v1/catalog-orders/${mine.id}`, {
      lines: [{ id: foreignLine, quantity: '9' }],
    })
    expect(stolen.statusCode).toBe(404)
    expect(fieldCodes(stolen)).toEqual(['lines[0].id: line_not_found'])
    const parent = await post(
      '/api/v1/catalog-orders',
      order([{ item: itemA, quantity: '1', order: other.id } as never]),
    )
    expect(parent.statusCode).toBe(400)
    expect(fieldCodes(parent)).toEqual(['lines[0].order: read_only'])
    const bad = await post(
      '/api/v1/catalog-orders',
      order([
        { item: itemA, quantity: '0' },
        { item: itemA, quantity: 'x' },
      ]),
    )
    expect(bad.statusCode).toBe(400)
    expect(fieldCodes(bad)[0]).toMatch(/^lines\[0\]\.quantity/)
    const otherLines = (await get(`/api/v1/catalog-orders/${other.id}?include=lines`)).json().lines
    expect(otherLines.map((l: { quantity: string }) => l.quantity)).toEqual(['2.000'])
  })
})

describe('workflow and gapless numbering', () => {
  it('submits with the next number, then locks; cancels; amends into a new draft', async () => {
    const a = await create(t, owner.accessToken, 'catalog-orders', order())
    const b = await create(t, owner.accessToken, 'catalog-orders', order())
    const sa = await post(`/api/v1/catalog-orders/${a.id}/actions/submit`)
    expect(sa.statusCode, sa.body).toBe(200)
    expect(sa.json()).toMatchObject({ state: 'submitted', number: 'ORD/2026/00001' })
    const sb = await post(`/api/v1/catalog-orders/${b.id}/actions/submit`)
    expect(sb.json().number).toBe('ORD/2026/00002')
    const edit = await api(t, owner.accessToken, 'PATCH', `/api/v1/catalog-orders/${a.id}`, { customer: 'X' })
    expect(edit.statusCode).toBe(422)
    expect(edit.json().code).toBe('record_locked')
    const again = await post(`/api/v1/catalog-orders/${a.id}/actions/submit`)
    expect(again.statusCode).toBe(422)
    expect(again.json().detail).toContain('submitted')
    const cancel = await post(`/api/v1/catalog-orders/${a.id}/actions/cancel`)
    expect(cancel.json()).toMatchObject({ state: 'cancelled', number: 'ORD/2026/00001' })
    const amended = await post(`/api/v1/catalog-orders/${a.id}/actions/amend`)
    expect(amended.statusCode, amended.body).toBe(201)
    expect(amended.json()).toMatchObject({
      state: 'draft',
      number: null,
      amended_from: a.id,
      customer: 'Acme',
    })
    const unknown = await post(`/api/v1/catalog-orders/${a.id}/actions/explode`)
    expect(unknown.statusCode).toBe(404)
  })

  it.skipIf(!onServer())('concurrent submits take distinct, contiguous numbers', async () => {
    const tenant = await tenantWith(t, ['catalog'])
    const item = (await create(t, tenant.accessToken, 'catalog-items', { name: 'C', kind: 'good' })).id
    const orders = []
    for (let i = 0; i < 12; i++)
      orders.push(
        await create(t, tenant.accessToken, 'catalog-orders', {
          customer: 'C',
          ordered_on: '2027-01-02',
          lines: [{ item, quantity: '1' }],
        }),
      )
    const results = await Promise.all(
      orders.map((o) => api(t, tenant.accessToken, 'POST', `/api/v1/catalog-orders/${o.id}/actions/submit`)),
    )
    const numbers = results.map((r) => r.json().number).sort()
    expect(numbers).toEqual(
      Array.from({ length: 12 }, (_, i) => `ORD/2027/${String(i + 1).padStart(5, '0')}`),
    )
  })
})

describe('bulk and idempotency', () => {
  it('creates up to 500 rows all or nothing, naming the failing row', async () => {
    const ok = await post('/api/v1/catalog-labels/bulk', { records: [{ name: 'b1' }, { name: 'b2' }] })
    expect(ok.statusCode, ok.body).toBe(201)
    expect(ok.json().data.map((r: { name: string }) => r.name)).toEqual(['b1', 'b2'])
    const bad = await post('/api/v1/catalog-labels/bulk', { records: [{ name: 'b3' }, { name: 7 }] })
    expect(bad.statusCode).toBe(400)
    expect(fieldCodes(bad)).toEqual(['records[1].name: type'])
    const b3 = await get(`/api/v1/catalog-labels?filter=${encodeURIComponent("name = 'b3'")}`)
    expect(b3.json().data).toEqual([])
    const big = await post('/api/v1/catalog-labels/bulk', {
      records: Array.from({ length: 501 }, (_, i) => ({ name: `x${i}` })),
    })
    expect(big.statusCode).toBe(400)
    expect(fieldCodes(big)).toEqual(['records: out_of_range'])
    const updated = await api(t, owner.accessToken, 'PATCH', '/api/v1/catalog-labels/bulk', {
      records: ok.json().data.map((r: { id: string; version: number }, i: number) => ({
        id: r.id,
        version: r.version,
        name: `b${i}-new`,
      })),
    })
    expect(updated.statusCode, updated.body).toBe(200)
    expect(updated.json().data.map((r: { name: string }) => r.name)).toEqual(['b0-new', 'b1-new'])
  })

  it('replays a POST with the same Idempotency-Key, refuses it with another body', async () => {
    const headers = { 'idempotency-key': 'label-create-1' }
    const first = await post('/api/v1/catalog-labels', { name: 'idem' }, headers)
    expect(first.statusCode).toBe(201)
    const retry = await post('/api/v1/catalog-labels', { name: 'idem' }, headers)
    expect(retry.statusCode).toBe(201)
    expect(retry.headers['idempotent-replayed']).toBe('true')
    expect(retry.json().id).toBe(first.json().id)
    const other = await post('/api/v1/catalog-labels', { name: 'idem2' }, headers)
    expect(other.statusCode).toBe(422)
    const count = await get(
      `/api/v1/catalog-labels?count=true&filter=${encodeURIComponent("name in ('idem', 'idem2')")}`,
    )
    expect(count.json().count).toBe(1)
  })
})
