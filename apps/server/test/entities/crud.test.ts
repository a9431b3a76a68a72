import { createTestApp, type TestApp } from '@tessera/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SignedUp } from '../auth/helpers.ts'
import { catalogModule } from '../fixtures/modules/catalog.ts'
import { api, create, fieldCodes, tenantWith } from './helpers.ts'

let t: TestApp
let owner: SignedUp
beforeAll(async () => {
  t = await createTestApp({ modules: [catalogModule] })
  owner = await tenantWith(t, ['catalog'])
})
afterAll(async () => t?.close())

const ITEM = {
  name: 'Widget',
  code: 'WD-001',
  kind: 'good',
  quantity: 5,
  weight: '1.250',
  price: { amount: '19.90', currency: 'EUR' },
  launched_on: '2026-03-01',
  checked_at: '2026-03-01T10:00:00.123Z',
  colours: ['red', 'blue'],
  email: 'sales@example.com',
  attributes: { size: 'L' },
}

describe('create, get, update, delete', () => {
  it('round-trips every field type in its JSON form', async () => {
    const created = await create(t, owner.accessToken, 'catalog-items', ITEM)
    expect(created).toMatchObject({
      ...ITEM,
      active: true,
      display_name: '[WD-001] Widget',
      labels: [],
      parent: null,
      version: 1,
      custom: {},
      archived_at: null,
      created_by: owner.userId,
    })
    expect(new Date(created.created_at as string).toISOString()).toBe(created.created_at)
    const got = await api(t, owner.accessToken, 'GET', `/api/v1/catalog-items/${created.id}`)
    expect(got.statusCode).toBe(200)
    expect(got.headers.etag).toBe('"1"')
    expect(got.json()).toEqual(created)
  })

  it('updates only what is sent, with If-Match, and refuses a stale version', async () => {
    const item = await create(t, owner.accessToken, 'catalog-items', { ...ITEM, code: 'WD-002' })
    const patched = await api(
      t,
      owner.accessToken,
      'PATCH',
      `/api/v1/catalog-items/${item.id}`,
      { quantity: 7 },
      { 'if-match': '"1"' },
    )
    expect(patched.statusCode, patched.body).toBe(200)
    expect(patched.json()).toMatchObject({ quantity: 7, name: 'Widget', version: 2 })
    const stale = await api(
      t,
      owner.accessToken,
      'PATCH',
      `/api/v1/catalog-items/${item.id}`,
      { quantity: 9 },
      { 'if-match': '"1"' },
    )
    expect(stale.statusCode).toBe(409)
    expect(stale.json().code).toBe('version_conflict')
    const after = await api(t, owner.accessToken, 'GET', `/api/v1/catalog-items/${item.id}`)
    expect(after.json().quantity).toBe(7)
  })

  it('archives on DELETE: out of lists, still readable by id and with include_archived', async () => {
    const item = await create(t, owner.accessToken, 'catalog-items', { ...ITEM, code: 'WD-003', name: 'Old' })
    const gone = await api(t, owner.accessToken, 'DELETE', `/api/v1/catalog-items/${item.id}`)
    expect(gone.statusCode).toBe(204)
    const list = await api(
      t,
      owner.accessToken,
      'GET',
      `/api/v1/catalog-items?filter=${encodeURIComponent("name = 'Old'")}`,
    )
    expect(list.json().data).toEqual([])
    const all = await api(
      t,
      owner.accessToken,
      'GET',
      `/api/v1/catalog-items?include_archived=true&filter=${encodeURIComponent("name = 'Old'")}`,
    )
    expect(all.json().data).toHaveLength(1)
    expect(all.json().data[0].archived_at).not.toBeNull()
  })
})

describe('bad input: a clear problem naming the field, nothing written', () => {
  const cases: [string, Record<string, unknown>, number, string[]][] = [
    ['unknown field', { ...ITEM, colour: 'red' }, 400, ['colour: unknown_field']],
    ['wrong type', { ...ITEM, quantity: '5' }, 400, ['quantity: type']],
    ['float for a decimal', { ...ITEM, weight: 1.5 }, 400, ['weight: type']],
    ['too many decimals', { ...ITEM, weight: '1.23456' }, 400, ['weight: invalid']],
    ['below min', { ...ITEM, quantity: -1 }, 400, ['quantity: minimum']],
    ['pattern', { ...ITEM, code: 'nope' }, 400, ['code: invalid']],
    ['unsafe integer', { ...ITEM, quantity: 2 ** 60 }, 400, ['quantity: maximum']],
    ['option', { ...ITEM, kind: 'gift' }, 400, ['kind: enum']],
    ['missing required', { name: 'x' }, 400, ['kind: required']],
    ['null required', { ...ITEM, name: null }, 400, ['name: required']],
    [
      'unknown currency',
      { ...ITEM, price: { amount: '1.00', currency: 'ABC' } },
      400,
      ['price: unknown_currency'],
    ],
    ['money as number', { ...ITEM, price: 5 }, 400, ['price: type']],
    ['bad email', { ...ITEM, email: 'not-an-email' }, 400, ['email: format']],
    ['bad date', { ...ITEM, launched_on: '2026-02-30' }, 400, ['launched_on: format']],
    [
      'tenant_id',
      { ...ITEM, tenant_id: '00000000-0000-0000-0000-000000000000' },
      400,
      ['tenant_id: read_only'],
    ],
    ['version', { ...ITEM, version: 5 }, 400, ['version: read_only']],
    ['computed', { ...ITEM, display_name: 'x' }, 400, ['display_name: read_only']],
    ['control characters', { ...ITEM, name: 'a\u0000b' }, 400, ['name: invalid']],
    [
      'unknown reference',
      { ...ITEM, parent: '0190aaaa-0000-7000-8000-000000000000' },
      404,
      ['parent: reference_not_found'],
    ],
  ]
  it.each(cases)('%s', async (_name, body, status, errors) => {
    const before = (await api(t, owner.accessToken, 'GET', '/api/v1/catalog-items?count=true&limit=1')).json()
      .count
    const { code: _code, ...rest } = body
    const res = await api(
      t,
      owner.accessToken,
      'POST',
      '/api/v1/catalog-items',
      'code' in body && body.code !== ITEM.code ? body : rest,
    )
    expect(res.statusCode, res.body).toBe(status)
    expect(res.headers['content-type']).toContain('application/problem+json')
    expect(fieldCodes(res)).toEqual(expect.arrayContaining(errors))
    const after = (await api(t, owner.accessToken, 'GET', '/api/v1/catalog-items?count=true&limit=1')).json()
      .count
    expect(after).toBe(before)
  })

  it('a duplicate unique value is 409 naming the field', async () => {
    await create(t, owner.accessToken, 'catalog-items', { ...ITEM, code: 'DU-001' })
    const res = await api(t, owner.accessToken, 'POST', '/api/v1/catalog-items', { ...ITEM, code: 'DU-001' })
    expect(res.statusCode).toBe(409)
    expect(fieldCodes(res)).toEqual(['code: duplicate'])
  })

  it("another tenant's record is 404, for reads, writes and references", async () => {
    const other = await tenantWith(t, ['catalog'])
    const theirs = await create(t, other.accessToken, 'catalog-items', { ...ITEM, code: 'OT-001' })
    for (const [method, url] of [
      ['GET', `/api/v1/catalog-items/${theirs.id}`],
      ['PATCH', `/api/v1/catalog-items/${theirs.id}`],
      ['DELETE', `/api/v1/catalog-items/${theirs.id}`],
    ] as const) {
      const res = await api(
        t,
        owner.accessToken,
        method,
        url,
        method === 'PATCH' ? { quantity: 1 } : undefined,
      )
      expect(res.statusCode, `${method} ${url}`).toBe(404)
    }
    const ref = await api(t, owner.accessToken, 'POST', '/api/v1/catalog-items', {
      ...ITEM,
      code: undefined,
      parent: theirs.id,
    })
    expect(ref.statusCode).toBe(404)
    expect(fieldCodes(ref)).toEqual(['parent: reference_not_found'])
  })
})
