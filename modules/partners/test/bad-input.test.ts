import { withTenant } from '@tessera/kernel'
import type { TestApp } from '@tessera/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addMember, call, createPartnersApp, type SignedUp, signUp, tenantWithPartners } from './helpers.ts'

type Json = Record<string, unknown>

let t: TestApp
let owner: SignedUp
let other: SignedUp
let acme: Json
let ada: Json
let vip: string
let foreignTag: string
let foreignPartner: string

const post = (url: string, body: unknown, token = owner.accessToken) => call(t, token, 'POST', url, body)
const count = async (table: string, tenantId = owner.tenantId) =>
  withTenant(t.database.db, tenantId, async (trx) => {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(trx)
    return rows[0]?.n ?? 0
  })
const snapshot = async () => ({
  partners: await count('partners'),
  addresses: await count('partner_addresses'),
  links: await count('entity_links'),
})
/** The fields a problem names. */
const fieldsOf = (body: Json) => ((body.errors as { field: string }[] | undefined) ?? []).map((e) => e.field)

beforeAll(async () => {
  t = await createPartnersApp()
  owner = await tenantWithPartners(t)
  other = await tenantWithPartners(t)
  vip = (
    await call(
      t,
      owner.accessToken,
      'GET',
      `/api/v1/partner-tags?filter=${encodeURIComponent("name = 'VIP'")}`,
    )
  ).json().data[0].id
  foreignTag = (await call(t, other.accessToken, 'GET', '/api/v1/partner-tags')).json().data[0].id
  foreignPartner = (
    await post('/api/v1/partners', { kind: 'organization', name: 'Theirs' }, other.accessToken)
  ).json().id
  acme = (await post('/api/v1/partners', { kind: 'organization', name: 'Acme', ref: 'C-1' })).json()
  ada = (
    await post('/api/v1/partners', {
      kind: 'person',
      name: 'Ada',
      addresses: [{ type: 'billing', city: 'London', country: 'GB' }],
    })
  ).json()
  expect(acme.id && ada.id).toBeTruthy()
})
afterAll(() => t.close())

describe('a contact that cannot be created', () => {
  const cases: [string, () => Json, number, string][] = [
    ['an unknown field', () => ({ kind: 'person', name: 'X', nickname: 'x' }), 400, 'nickname'],
    ['a missing required field', () => ({ name: 'X' }), 400, 'kind'],
    ['a wrong type', () => ({ kind: 'person', name: 'X', is_customer: 'yes' }), 400, 'is_customer'],
    ['a null flag', () => ({ kind: 'person', name: 'X', is_customer: null }), 400, 'is_customer'],
    ['an option that does not exist', () => ({ kind: 'robot', name: 'X' }), 400, 'kind'],
    ['an invalid email', () => ({ kind: 'person', name: 'X', email: 'not-an-email' }), 400, 'email'],
    ['an invalid phone', () => ({ kind: 'person', name: 'X', phone: 'call me' }), 400, 'phone'],
    [
      'a website that is not http(s)',
      () => ({ kind: 'person', name: 'X', website: 'javascript:alert(1)' }),
      400,
      'website',
    ],
    ['a malformed tax id', () => ({ kind: 'person', name: 'X', vat_id: '<script>' }), 400, 'vat_id'],
    ['an oversized name', () => ({ kind: 'person', name: 'x'.repeat(201) }), 400, 'name'],
    [
      'a server-owned column',
      () => ({ kind: 'person', name: 'X', created_by: owner.userId }),
      400,
      'created_by',
    ],
    ['a tenant id', () => ({ kind: 'person', name: 'X', tenant_id: other.tenantId }), 400, 'tenant_id'],
    [
      'a company, which contacts do not have',
      () => ({ kind: 'person', name: 'X', company_id: acme.id }),
      400,
      'company_id',
    ],
    [
      'an address in a country that does not exist',
      () => ({ kind: 'person', name: 'X', addresses: [{ country: 'XX', city: 'Nowhere' }] }),
      400,
      'addresses[0].country',
    ],
    [
      'an address with a lower-case country',
      () => ({ kind: 'person', name: 'X', addresses: [{ country: 'fr' }] }),
      400,
      'addresses[0].country',
    ],
    [
      'an address without a country',
      () => ({ kind: 'person', name: 'X', addresses: [{ city: 'Paris' }] }),
      400,
      'addresses[0].country',
    ],
    [
      'an address naming its contact',
      () => ({ kind: 'person', name: 'X', addresses: [{ country: 'FR', partner: acme.id }] }),
      400,
      'addresses[0].partner',
    ],
    ["another tenant's tag", () => ({ kind: 'person', name: 'X', tags: [vip, foreignTag] }), 404, 'tags[1]'],
    [
      "another tenant's organization",
      () => ({ kind: 'person', name: 'X', organization: foreignPartner }),
      404,
      'organization',
    ],
    [
      'a person as organization',
      () => ({ kind: 'person', name: 'X', organization: ada.id }),
      422,
      'organization',
    ],
    [
      'an organization inside an organization',
      () => ({ kind: 'organization', name: 'X', organization: acme.id }),
      422,
      'organization',
    ],
    ['a reference already taken', () => ({ kind: 'person', name: 'X', ref: 'c-1' }), 409, 'ref'],
  ]
  it.each(cases)('%s: nothing written', async (_, body, status, field) => {
    const before = await snapshot()
    const res = await post('/api/v1/partners', body())
    expect(res.statusCode, res.body).toBe(status)
    expect(res.headers['content-type']).toContain('application/problem+json')
    expect(fieldsOf(res.json())).toContain(field)
    expect(await snapshot()).toEqual(before)
  })
})

describe('a contact that cannot be changed', () => {
  const patch = (id: unknown, body: unknown, token = owner.accessToken) =>
    call(t, token, 'PATCH', `/api/v1/partners/${id}`, body)

  it("refuses another contact's address as a line (404), changing nothing", async () => {
    const line = (
      await call(t, owner.accessToken, 'GET', `/api/v1/partners/${ada.id}?include=addresses`)
    ).json().addresses[0]
    const before = await snapshot()
    const res = await patch(acme.id, { addresses: [{ id: line.id, city: 'Stolen' }] })
    expect(res.statusCode, res.body).toBe(404)
    expect(fieldsOf(res.json())).toContain('addresses[0].id')
    expect(await snapshot()).toEqual(before)
    const after = (
      await call(t, owner.accessToken, 'GET', `/api/v1/partners/${ada.id}?include=addresses`)
    ).json()
    expect(after.addresses).toEqual([expect.objectContaining({ id: line.id, city: 'London' })])
  })

  it('refuses a contact as its own organization, and an organization with people becoming a person', async () => {
    const person = (
      await post('/api/v1/partners', { kind: 'person', name: 'Bob', organization: acme.id })
    ).json()
    const self = await patch(person.id, { organization: person.id })
    expect(self.statusCode).toBe(422)
    expect(fieldsOf(self.json())).toEqual(['organization'])
    const demoted = await patch(acme.id, { kind: 'person' })
    expect(demoted.statusCode).toBe(422)
    expect(fieldsOf(demoted.json())).toEqual(['kind'])
    expect((await call(t, owner.accessToken, 'GET', `/api/v1/partners/${acme.id}`)).json().kind).toBe(
      'organization',
    )
  })

  it('cannot clear a required field', async () => {
    const res = await patch(acme.id, { name: null })
    expect(res.statusCode).toBe(400)
    expect(fieldsOf(res.json())).toEqual(['name'])
  })

  it("answers 404 for another tenant's contact, for every verb", async () => {
    const theirs = (await post('/api/v1/partners', { kind: 'person', name: 'Eve' }, other.accessToken)).json()
    for (const [method, body] of [
      ['GET', undefined],
      ['PATCH', { name: 'Mallory' }],
      ['DELETE', undefined],
    ] as const) {
      const res = await call(t, owner.accessToken, method, `/api/v1/partners/${theirs.id}`, body)
      expect(res.statusCode, `${method} ${res.body}`).toBe(404)
      expect(res.body).not.toContain('Eve')
    }
    expect((await call(t, other.accessToken, 'GET', `/api/v1/partners/${theirs.id}`)).json().name).toBe('Eve')
  })

  it('refuses a tag name taken in the same tenant, whatever its case, but not in another', async () => {
    const mine = await post('/api/v1/partner-tags', { name: 'vip' })
    expect(mine.statusCode).toBe(409)
    expect(fieldsOf(mine.json())).toEqual(['name'])
    const bad = await post('/api/v1/partner-tags', { name: 'Red', color: 'red' })
    expect(bad.statusCode).toBe(400)
    expect(fieldsOf(bad.json())).toEqual(['color'])
    expect((await post('/api/v1/partner-tags', { name: 'Red', color: '#ff0000' })).statusCode).toBe(201)
  })
})

describe('a list query that cannot be run', () => {
  const cases: [string, string, string][] = [
    ['a filter on an unknown field', `filter=${encodeURIComponent("nickname = 'x'")}`, 'filter'],
    ['a filter smuggling SQL', `filter=${encodeURIComponent("name = 'x' or 1=1 --")}`, 'filter'],
    ['a sort smuggling SQL', `sort=${encodeURIComponent('name; drop table partners')}`, 'sort'],
    ['a sort through a reference', 'sort=organization.name', 'sort'],
    ['a limit over the maximum', 'limit=201', 'limit'],
    ['an include of a plain field', 'include=name', 'include'],
    ['an unknown field in fields', 'fields=name,password', 'fields'],
    ['a forged cursor', 'cursor=not-a-cursor', 'cursor'],
  ]
  it.each(cases)('%s: 400 naming the parameter', async (_, query, field) => {
    const res = await call(t, owner.accessToken, 'GET', `/api/v1/partners?${query}`)
    expect(res.statusCode, res.body).toBe(400)
    expect(fieldsOf(res.json())).toContain(field)
    expect(res.body).not.toMatch(/syntax error|select |postgres/i)
  })
})

describe('rights', () => {
  it('lets a contacts user work but not delete, and a plain member not even read', async () => {
    const user = await addMember(t, owner, ['user', 'partners_user'])
    const created = await post('/api/v1/partners', { kind: 'person', name: 'Carol' }, user.token)
    expect(created.statusCode, created.body).toBe(201)
    const id = created.json().id
    expect((await call(t, user.token, 'DELETE', `/api/v1/partners/${id}`)).statusCode).toBe(403)
    const plain = await addMember(t, owner, ['user'])
    expect((await call(t, plain.token, 'GET', '/api/v1/partners')).statusCode).toBe(403)
    expect((await post('/api/v1/partners', { kind: 'person', name: 'Dan' }, plain.token)).statusCode).toBe(
      403,
    )
  })

  it('hides the resources from a tenant that has not activated the module', async () => {
    const stranger = await signUp(t)
    expect((await call(t, stranger.accessToken, 'GET', '/api/v1/partners')).statusCode).toBe(404)
  })
})
