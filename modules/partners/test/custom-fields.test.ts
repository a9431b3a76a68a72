import type { TestApp } from '@tessera/testing'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { call, createPartnersApp, type SignedUp, tenantWithPartners } from './helpers.ts'

let t: TestApp
let owner: SignedUp
const post = (url: string, body: unknown) => call(t, owner.accessToken, 'POST', url, body)
const fieldsOf = (body: { errors?: { field: string }[] }) => (body.errors ?? []).map((e) => e.field)

beforeAll(async () => {
  t = await createPartnersApp()
  owner = await tenantWithPartners(t)
})
afterAll(() => t.close())

it('takes a custom field added at run time, under `custom`, in writes, reads and filters', async () => {
  const field = await post('/api/v1/meta/entities/partners.partner/fields', {
    key: 'referral_source',
    type: 'select',
    label: 'Referral source',
    options: ['Trade fair', 'Website', 'Word of mouth'],
  })
  expect(field.statusCode, field.body).toBe(201)

  const created = await post('/api/v1/partners', {
    kind: 'organization',
    name: 'Acme',
    custom: { referral_source: 'Trade fair' },
  })
  expect(created.statusCode, created.body).toBe(201)
  expect(created.json().custom).toEqual({ referral_source: 'Trade fair' })
  const plain = (await post('/api/v1/partners', { kind: 'organization', name: 'Globex' })).json()
  expect(plain.custom).toEqual({ referral_source: null })

  const filter = encodeURIComponent("custom.referral_source = 'Trade fair'")
  const listed = await call(t, owner.accessToken, 'GET', `/api/v1/partners?filter=${filter}`)
  expect(listed.json().data.map((p: { name: string }) => p.name)).toEqual(['Acme'])

  const changed = await call(t, owner.accessToken, 'PATCH', `/api/v1/partners/${plain.id}`, {
    custom: { referral_source: 'Website' },
  })
  expect(changed.statusCode, changed.body).toBe(200)
  expect(changed.json().custom).toEqual({ referral_source: 'Website' })

  for (const [custom, name] of [
    [{ referral_source: 'Carrier pigeon' }, 'custom.referral_source'],
    [{ referral_source: 42 }, 'custom.referral_source'],
    [{ unheard_of: 'x' }, 'custom.unheard_of'],
  ] as const) {
    const res = await post('/api/v1/partners', { kind: 'person', name: 'X', custom })
    expect(res.statusCode, res.body).toBe(400)
    expect(fieldsOf(res.json())).toEqual([name])
  }
})
