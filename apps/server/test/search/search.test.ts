import { createTestApp, type TestApp } from '@tessera/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addMember, call, createRole, type Member } from '../access/helpers.ts'
import type { SignedUp } from '../auth/helpers.ts'
import { api, create, fieldCodes, tenantWith } from '../entities/helpers.ts'
import { catalogModule } from '../fixtures/modules/catalog.ts'

/** GET /api/v1/search: full text and typo-tolerant names across entities, through access control. */
let t: TestApp
let owner: SignedUp
let stranger: SignedUp
let clerk: Member
let masked: Member
let ids: Record<string, string>

interface Hit {
  entity: string
  id: string
  title: string | null
  field: string | null
  snippet: string | null
  rank: number
  path: string
}

const search = async (token: string, q: string, extra = '') => {
  const res = await api(t, token, 'GET', `/api/v1/search?q=${encodeURIComponent(q)}${extra}`)
  expect(res.statusCode, res.body).toBe(200)
  return res.json().data as Hit[]
}
const titles = (hits: Hit[]) => hits.map((h) => h.title)

beforeAll(async () => {
  t = await createTestApp({ modules: [catalogModule] })
  owner = await tenantWith(t, ['catalog'])
  stranger = await tenantWith(t, ['catalog'])
  const tag = await call(t, owner.accessToken, 'POST', '/api/v1/meta/entities/catalog.item/fields', {
    key: 'tag',
    type: 'text',
    label: 'Tag',
    searchable: true,
  })
  expect(tag.statusCode, tag.body).toBe(201)
  const item = (body: Record<string, unknown>) => create(t, owner.accessToken, 'catalog-items', body)
  ids = {
    consulting: (await item({ name: 'Consulting services', kind: 'service', custom: { tag: 'boardroom' } }))
      .id,
    gold: (await item({ name: 'Gold bar', kind: 'good', code: 'GB-001', custom: { tag: 'vault' } })).id,
    widget: (await item({ name: 'Blue widget', kind: 'good', description: 'A widget' })).id,
    archived: (await item({ name: 'Obsolete consulting', kind: 'service' })).id,
  }
  expect(
    (await api(t, owner.accessToken, 'DELETE', `/api/v1/catalog-items/${ids.archived}`)).statusCode,
  ).toBe(204)
  await create(t, stranger.accessToken, 'catalog-items', { name: 'Consulting elsewhere', kind: 'service' })
  await create(t, stranger.accessToken, 'catalog-items', { name: 'Gold coin', kind: 'good' })

  await createRole(t, owner.accessToken, 'clerk', ['catalog.item:read'])
  clerk = await addMember(t, owner, ['clerk'])
  const rule = await call(t, owner.accessToken, 'POST', '/api/v1/access/record-rules', {
    role: 'clerk',
    entity: 'catalog.item',
    filter: "kind = 'service'",
  })
  expect(rule.statusCode, rule.body).toBe(201)
  await createRole(t, owner.accessToken, 'masked', ['catalog.item:read'])
  masked = await addMember(t, owner, ['masked'])
  for (const field of ['name', 'custom.tag']) {
    const res = await call(t, owner.accessToken, 'POST', '/api/v1/access/field-rules', {
      role: 'masked',
      entity: 'catalog.item',
      field,
      access: 'hidden',
    })
    expect(res.statusCode, res.body).toBe(201)
  }
})
afterAll(async () => t?.close())

describe('search finds records', () => {
  it('by a word of the display field, ranked, with the record path', async () => {
    const hits = await search(owner.accessToken, 'consulting')
    expect(titles(hits)).toEqual(['Consulting services'])
    expect(hits[0]).toMatchObject({
      entity: 'catalog.item',
      id: ids.consulting,
      field: 'name',
      snippet: 'Consulting services',
      path: `/api/v1/catalog-items/${ids.consulting}`,
    })
    expect(hits[0]?.rank).toBeGreaterThan(0)
  })

  it('by a typo in the name (pg_trgm similarity)', async () => {
    expect(titles(await search(owner.accessToken, 'consultng servces'))).toEqual(['Consulting services'])
    expect(titles(await search(owner.accessToken, 'widgit'))).toEqual(['Blue widget'])
  })

  it('by the other search fields, custom searchable fields included', async () => {
    expect(await search(owner.accessToken, 'GB-001')).toMatchObject([{ id: ids.gold, field: 'code' }])
    expect(await search(owner.accessToken, 'boardroom')).toMatchObject([
      { id: ids.consulting, field: 'custom.tag', snippet: 'boardroom' },
    ])
  })

  it('ranks a name match above a match in another field', async () => {
    await create(t, owner.accessToken, 'catalog-items', { name: 'Vault door', kind: 'good' })
    expect(titles(await search(owner.accessToken, 'vault'))).toEqual(['Vault door', 'Gold bar'])
  })

  it('takes any text: operators and punctuation are words or nothing, never an error', async () => {
    expect(await search(owner.accessToken, '!!! :* & | <->')).toEqual([])
    expect(titles(await search(owner.accessToken, '"consulting services" -gold'))).toEqual([
      'Consulting services',
    ])
    // a quote is data: `or` is search syntax, `1=1` two words no record holds
    expect(titles(await search(owner.accessToken, "consulting' or 1=1 --"))).toEqual(['Consulting services'])
  })

  it('leaves archived records out and honours limit', async () => {
    expect(titles(await search(owner.accessToken, 'obsolete'))).toEqual([])
    expect((await search(owner.accessToken, 'consulting or gold or widget')).length).toBeGreaterThan(2)
    expect(await search(owner.accessToken, 'consulting or gold or widget', '&limit=1')).toHaveLength(1)
  })
})

describe('custom entities', () => {
  it('are searched by their display field and their searchable fields only', async () => {
    const res = await call(t, owner.accessToken, 'POST', '/api/v1/meta/entities', {
      name: 'supplier',
      label: 'Supplier',
      plural_label: 'Suppliers',
      display_field: 'title',
      fields: [
        { key: 'title', type: 'text', label: 'Title', required: true },
        { key: 'city', type: 'text', label: 'City', searchable: true },
        { key: 'notes', type: 'long_text', label: 'Notes' },
      ],
    })
    expect(res.statusCode, res.body).toBe(201)
    const made = await create(t, owner.accessToken, 'custom/suppliers', {
      title: 'Harbour Metals',
      city: 'Lisbon',
      notes: 'prefers invoices by post',
    })
    expect(await search(owner.accessToken, 'harbour')).toMatchObject([
      { entity: 'custom.supplier', id: made.id, field: 'title', path: `/api/v1/custom/suppliers/${made.id}` },
    ])
    expect(await search(owner.accessToken, 'lisbon')).toMatchObject([
      { id: made.id, title: 'Harbour Metals', field: 'city', snippet: 'Lisbon' },
    ])
    expect(await search(owner.accessToken, 'invoices')).toEqual([])
    expect(await search(stranger.accessToken, 'harbour')).toEqual([])
  })
})

describe('search obeys access control', () => {
  it('record rules: the clerk finds only services', async () => {
    expect(titles(await search(clerk.token, 'gold'))).toEqual([])
    expect(titles(await search(clerk.token, 'consulting'))).toEqual(['Consulting services'])
  })

  it('hidden fields are neither searched nor returned', async () => {
    expect(await search(masked.token, 'boardroom')).toEqual([])
    expect(await search(masked.token, 'consulting')).toEqual([])
    // still found by a field it may see, without the hidden title
    expect(await search(masked.token, 'GB-001')).toMatchObject([{ id: ids.gold, title: null, field: 'code' }])
  })

  it("never returns another tenant's records", async () => {
    expect(await search(owner.accessToken, 'elsewhere')).toEqual([])
    expect(await search(owner.accessToken, 'coin')).toEqual([])
    expect(titles(await search(stranger.accessToken, 'consulting'))).toEqual(['Consulting elsewhere'])
  })

  it('company scope: records of a company the member is not in stay out', async () => {
    // a member added before the company exists is not allowed in it
    await createRole(t, owner.accessToken, 'orders', ['catalog.order:read'])
    const reader = await addMember(t, owner, ['orders'])
    const beta = await call(t, owner.accessToken, 'POST', '/api/v1/companies', {
      name: 'Beta',
      currency: 'EUR',
      country: 'FR',
    })
    expect(beta.statusCode, beta.body).toBe(201)
    const order = { customer: 'Zephyr Logistics', ordered_on: '2026-01-01' }
    await create(t, owner.accessToken, 'catalog-orders', { ...order, company_id: beta.json().id })
    expect(titles(await search(owner.accessToken, 'zephyr'))).toEqual(['Zephyr Logistics'])
    expect(await search(reader.token, 'zephyr')).toEqual([])
  })

  it('a member without any read right finds nothing', async () => {
    await createRole(t, owner.accessToken, 'nobody', [])
    const nobody = await addMember(t, owner, ['nobody'])
    expect(await search(nobody.token, 'consulting')).toEqual([])
  })
})

describe('search refuses bad input with 400 naming the parameter', () => {
  const long = 'x'.repeat(201)
  it.each([
    ['', 'q: required'],
    ['?q=', 'q: required'],
    ['?q=%20%20', 'q: required'],
    [`?q=${long}`, 'q: too_long'],
    ['?q=a&limit=0', 'limit: out_of_range'],
    ['?q=a&limit=51', 'limit: out_of_range'],
    ['?q=a&limit=ten', 'limit: out_of_range'],
    ['?q=a&limit=1.5', 'limit: out_of_range'],
  ])('%s', async (query, code) => {
    const res = await api(t, owner.accessToken, 'GET', `/api/v1/search${query}`)
    expect(res.statusCode).toBe(400)
    expect(fieldCodes(res)).toEqual([code])
  })

  it('an unknown parameter, and no credentials', async () => {
    expect((await api(t, owner.accessToken, 'GET', '/api/v1/search?q=a&sort=x')).statusCode).toBe(400)
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/search?q=a' })).statusCode).toBe(401)
  })
})
