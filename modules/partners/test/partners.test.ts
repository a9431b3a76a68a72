import { authenticateAccessToken, entityContext, withTenant } from '@tessera/kernel'
import type { TestApp } from '@tessera/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findPartnerByEmail, findPartnersByEmail } from '../src/index.ts'
import { addMember, call, createPartnersApp, type SignedUp, tenantWithPartners } from './helpers.ts'

type Json = Record<string, unknown>

let t: TestApp
let owner: SignedUp
let tags: Record<string, string>
let categories: Record<string, string>
let acme: Json
let grace: Json

const get = (url: string) => call(t, owner.accessToken, 'GET', url)
const post = (url: string, body: unknown) => call(t, owner.accessToken, 'POST', url, body)
const byName = (rows: Json[]) => Object.fromEntries(rows.map((r) => [r.name as string, r.id as string]))
const names = (rows: Json[]) => rows.map((r) => r.name)
const list = async (query: string) => {
  const res = await get(`/api/v1/partners?${query}`)
  expect(res.statusCode, res.body).toBe(200)
  return res.json() as { data: Json[]; next_cursor: string | null; count?: number }
}

beforeAll(async () => {
  t = await createPartnersApp()
  owner = await tenantWithPartners(t)
  tags = byName((await get('/api/v1/partner-tags')).json().data)
  categories = byName((await get('/api/v1/partner-categories')).json().data)
  const created = await post('/api/v1/partners', {
    kind: 'organization',
    name: 'Acme',
    is_customer: true,
    category: categories.Customer,
    tags: [tags.VIP],
    website: 'https://acme.example',
    vat_id: 'FR40303265045',
    ref: 'C-0001',
    payment_terms: 'net_30',
  })
  expect(created.statusCode, created.body).toBe(201)
  acme = created.json()
  const person = await post('/api/v1/partners', {
    kind: 'person',
    name: 'Grace Hopper',
    organization: acme.id,
    job_title: 'Rear admiral',
    email: 'grace@acme.example',
    phone: '+33 1 23 45 67 89',
    tags: [tags.VIP, tags.Newsletter],
    addresses: [
      { type: 'billing', street: '1 rue de la Paix', city: 'Paris', postal_code: '75002', country: 'FR' },
      { type: 'shipping', street: 'Hafenstraße 5', city: 'Hamburg', subdivision: 'DE-HH', country: 'DE' },
    ],
  })
  expect(person.statusCode, person.body).toBe(201)
  grace = person.json()
  for (const body of [
    { kind: 'organization', name: 'Globex', is_supplier: true, tags: [tags['Key account']] },
    { kind: 'organization', name: 'Initech', is_customer: true, tags: [tags.Newsletter] },
    { kind: 'person', name: 'Alan Turing', is_customer: true, tags: [tags.VIP] },
  ]) {
    const res = await post('/api/v1/partners', body)
    expect(res.statusCode, res.body).toBe(201)
  }
})
afterAll(() => t.close())

describe('creating contacts', () => {
  it('answers the record as stored: snake_case, defaults, references as ids', () => {
    expect(acme).toMatchObject({
      kind: 'organization',
      name: 'Acme',
      organization: null,
      is_customer: true,
      is_supplier: false,
      category: categories.Customer,
      tags: [tags.VIP],
      payment_terms: 'net_30',
      ref: 'C-0001',
      custom: {},
      version: 1,
      archived_at: null,
      created_by: owner.userId,
    })
    expect(grace).toMatchObject({ kind: 'person', organization: acme.id, tags: [tags.VIP, tags.Newsletter] })
    expect(grace).not.toHaveProperty('company_id')
  })

  it('writes a person with two addresses in one request, read back with include', async () => {
    const res = await get(`/api/v1/partners/${grace.id}?include=addresses,organization,tags`)
    expect(res.statusCode, res.body).toBe(200)
    const record = res.json()
    expect(record.organization).toMatchObject({ id: acme.id, name: 'Acme', kind: 'organization' })
    expect(names(record.tags)).toEqual(['VIP', 'Newsletter'])
    const addresses = [...(record.addresses as Json[])].sort((a, b) =>
      String(a.type).localeCompare(String(b.type)),
    )
    expect(addresses).toMatchObject([
      { type: 'billing', city: 'Paris', country: 'FR', partner: grace.id, is_default: false, street2: null },
      { type: 'shipping', city: 'Hamburg', subdivision: 'DE-HH', country: 'DE', partner: grace.id },
    ])
    const plain = (await get(`/api/v1/partners/${grace.id}`)).json()
    expect(plain.organization).toBe(acme.id)
    expect(plain).not.toHaveProperty('addresses')
  })

  it('does not expose addresses as a resource of their own', async () => {
    expect((await get('/api/v1/partner-addresses')).statusCode).toBe(404)
  })
})

describe('listing contacts', () => {
  it('sorts by name by default, and by any visible field on request', async () => {
    expect(names((await list('')).data)).toEqual(['Acme', 'Alan Turing', 'Globex', 'Grace Hopper', 'Initech'])
    expect(names((await list('sort=-name')).data)).toEqual([
      'Initech',
      'Grace Hopper',
      'Globex',
      'Alan Turing',
      'Acme',
    ])
    expect(names((await list('sort=kind,-name')).data)).toEqual([
      'Initech',
      'Globex',
      'Acme',
      'Grace Hopper',
      'Alan Turing',
    ])
  })

  it('filters through a reference', async () => {
    const { data } = await list(`filter=${encodeURIComponent("organization.name = 'Acme'")}`)
    expect(names(data)).toEqual(['Grace Hopper'])
  })

  it('filters on flags and tags together', async () => {
    const filter = `is_customer = true and tags in ('${tags.VIP}', '${tags['Key account']}')`
    const { data } = await list(`filter=${encodeURIComponent(filter)}`)
    expect(names(data)).toEqual(['Acme', 'Alan Turing'])
  })

  it('searches name, email and tax id', async () => {
    expect(names((await list('q=grace%40acme')).data)).toEqual(['Grace Hopper'])
    expect(names((await list('q=FR403')).data)).toEqual(['Acme'])
  })

  it('pages with a cursor and counts on request', async () => {
    const first = await list('limit=2&count=true&fields=name,kind')
    expect(first.count).toBe(5)
    expect(first.data).toEqual([
      { id: acme.id, name: 'Acme', kind: 'organization' },
      expect.objectContaining({ name: 'Alan Turing' }),
    ])
    const second = await list(`limit=2&fields=name&cursor=${encodeURIComponent(first.next_cursor ?? '')}`)
    expect(names(second.data)).toEqual(['Globex', 'Grace Hopper'])
    const third = await list(`limit=2&fields=name&cursor=${encodeURIComponent(second.next_cursor ?? '')}`)
    expect(names(third.data)).toEqual(['Initech'])
    expect(third.next_cursor).toBeNull()
  })
})

describe('changing contacts', () => {
  it('patches with If-Match, and refuses a stale version', async () => {
    const created = (await post('/api/v1/partners', { kind: 'organization', name: 'Umbrella' })).json()
    const res = await call(
      t,
      owner.accessToken,
      'PATCH',
      `/api/v1/partners/${created.id}`,
      { is_supplier: true },
      1,
    )
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({ is_supplier: true, version: 2, name: 'Umbrella' })
    const stale = await call(
      t,
      owner.accessToken,
      'PATCH',
      `/api/v1/partners/${created.id}`,
      { name: 'Late' },
      1,
    )
    expect(stale.statusCode).toBe(409)
    expect((await get(`/api/v1/partners/${created.id}`)).json().name).toBe('Umbrella')
  })

  it('replaces the addresses sent inline: kept by id, added without, removed when left out', async () => {
    const created = (
      await post('/api/v1/partners', {
        kind: 'organization',
        name: 'Hooli',
        addresses: [
          { type: 'billing', city: 'Palo Alto', country: 'US', subdivision: 'US-CA' },
          { type: 'shipping', city: 'Mountain View', country: 'US' },
        ],
      })
    ).json()
    const before = (await get(`/api/v1/partners/${created.id}?include=addresses`)).json().addresses as Json[]
    const billing = before.find((a) => a.type === 'billing') as Json
    const res = await call(t, owner.accessToken, 'PATCH', `/api/v1/partners/${created.id}`, {
      addresses: [
        { id: billing.id, city: 'Menlo Park', is_default: true },
        { type: 'other', city: 'Dublin', country: 'IE' },
      ],
    })
    expect(res.statusCode, res.body).toBe(200)
    const after = (await get(`/api/v1/partners/${created.id}?include=addresses`)).json().addresses as Json[]
    expect(after.map((a) => [a.type, a.city, a.is_default]).sort()).toEqual([
      ['billing', 'Menlo Park', true],
      ['other', 'Dublin', false],
    ])
    expect(after.find((a) => a.type === 'billing')?.id).toBe(billing.id)
  })

  it('archives on DELETE: out of lists, still readable, its reference kept', async () => {
    const created = (await post('/api/v1/partners', { kind: 'organization', name: 'Soylent' })).json()
    const res = await call(t, owner.accessToken, 'DELETE', `/api/v1/partners/${created.id}`)
    expect(res.statusCode, res.body).toBe(204)
    const record = (await get(`/api/v1/partners/${created.id}`)).json()
    expect(record.archived_at).toEqual(expect.any(String))
    expect(names((await list('')).data)).not.toContain('Soylent')
    expect(names((await list('include_archived=true')).data)).toContain('Soylent')
  })
})

describe('findPartnerByEmail, for other modules', () => {
  const find = async (token: string, email: string) => {
    const actor = await authenticateAccessToken(t.identity, token)
    return withTenant(t.database.db, actor.tenantId, async (trx) => ({
      one: await findPartnerByEmail(entityContext(trx, actor), email),
      all: await findPartnersByEmail(entityContext(trx, actor), email),
    }))
  }

  it('finds the contact whatever the case, and not a longer address', async () => {
    await post('/api/v1/partners', { kind: 'person', name: 'Grace II', email: 'grace@acme.example.org' })
    const { one, all } = await find(owner.accessToken, ' GRACE@Acme.example ')
    expect(one).toMatchObject({ id: grace.id, name: 'Grace Hopper' })
    expect(all.map((p) => p.name)).toEqual(['Grace Hopper'])
    expect((await find(owner.accessToken, "x' or '1'='1")).one).toBeUndefined()
  })

  it("applies the caller's rights", async () => {
    const plain = await addMember(t, owner, ['user'])
    await expect(find(plain.token, 'grace@acme.example')).rejects.toMatchObject({ status: 403 })
  })
})
