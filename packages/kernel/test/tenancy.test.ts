import { createTenant, listTenants, slugify, withTenant } from '@tessera/kernel'
import { createTestDatabase, type TestDatabase } from '@tessera/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let database: TestDatabase
beforeAll(async () => {
  database = await createTestDatabase()
})
afterAll(() => database.close())

const valid = { name: 'Globex', company: { currency: 'EUR', country: 'FR', timezone: 'Europe/Paris' } }

describe('creating a tenant', () => {
  it('creates the tenant and its first company in one go', async () => {
    const { tenant, company } = await createTenant(database.db, valid)
    expect(tenant).toMatchObject({ name: 'Globex', slug: 'globex', status: 'active', plan: 'free' })
    expect(company).toMatchObject({ tenant_id: tenant.id, name: 'Globex', currency: 'EUR', country: 'FR' })
    expect(company.timezone).toBe('Europe/Paris')
    const companies = await withTenant(database.db, tenant.id, (trx) =>
      trx.selectFrom('companies').selectAll().execute(),
    )
    expect(companies).toHaveLength(1)
  })

  it('refuses a slug that is taken, naming the field, and writes nothing', async () => {
    const before = (await listTenants(database.db)).length
    await expect(createTenant(database.db, { ...valid, slug: 'globex' })).rejects.toMatchObject({
      status: 409,
      errors: [{ field: 'slug', code: 'taken' }],
    })
    expect(await listTenants(database.db)).toHaveLength(before)
  })

  it.each([
    ['a missing name', { company: valid.company }, 'name', 'required'],
    ['an empty name', { ...valid, name: '   ' }, 'name', 'pattern'],
    ['a name too long', { ...valid, name: 'x'.repeat(201) }, 'name', 'maxLength'],
    ['a name of the wrong type', { ...valid, name: 42 }, 'name', 'type'],
    ['a slug with capitals', { ...valid, slug: 'Globex' }, 'slug', 'pattern'],
    ['a slug with a quote', { ...valid, slug: "x'; drop table tenants; --" }, 'slug', 'pattern'],
    [
      'an unknown field',
      { ...valid, tenant_id: '00000000-0000-0000-0000-000000000000' },
      'tenant_id',
      'unknown_field',
    ],
    ['a server-owned field', { ...valid, status: 'active' }, 'status', 'unknown_field'],
    ['a missing company', { name: 'Initech' }, 'company', 'required'],
    ['a lower-case currency', { ...valid, company: { currency: 'eur' } }, 'company.currency', 'pattern'],
    [
      'a currency that does not exist',
      { name: 'Initech', company: { currency: 'ZZZ' } },
      'company.currency',
      'invalid',
    ],
    [
      'a country that is not a code',
      { ...valid, company: { currency: 'EUR', country: 'France' } },
      'company.country',
      'pattern',
    ],
    [
      'an unknown time zone',
      { ...valid, company: { currency: 'EUR', timezone: 'Mars/Olympus' } },
      'company.timezone',
      'format',
    ],
    [
      'a time zone with SQL',
      { ...valid, company: { currency: 'EUR', timezone: "UTC'; select 1; --" } },
      'company.timezone',
      'format',
    ],
    [
      'a colour that is not hex',
      { ...valid, company: { currency: 'EUR', primary_color: 'red' } },
      'company.primary_color',
      'pattern',
    ],
    [
      'a logo over plain http',
      { ...valid, company: { currency: 'EUR', logo_url: 'http://x.test/a.png' } },
      'company.logo_url',
      'pattern',
    ],
    ['a body that is not an object', 'Globex', '(body)', 'type'],
  ])('refuses %s with a 400 naming the field, and writes nothing', async (_case, input, field, code) => {
    const before = (await listTenants(database.db)).length
    const attempt = createTenant(database.db, input)
    await expect(attempt).rejects.toMatchObject({ status: 400 })
    const error = await attempt.catch((e) => e)
    expect(error.errors).toContainEqual(expect.objectContaining({ field, code }))
    expect(await listTenants(database.db)).toHaveLength(before)
  })
})

describe('slugify', () => {
  it.each([
    ['Café Müller & Co.', 'cafe-muller-co'],
    ['  ACME  ', 'acme'],
    ['a'.repeat(80), 'a'.repeat(63)],
  ])('%s becomes %s', (name, slug) => {
    expect(slugify(name)).toBe(slug)
  })

  it('falls back to a generated slug for a name with no letters or digits', () => {
    expect(slugify('***')).toMatch(/^tenant-[0-9a-f]{8}$/)
  })
})
