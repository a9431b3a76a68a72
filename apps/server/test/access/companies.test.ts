import { withTenant } from '@tessera/kernel'
import { createTestApp, type TestApp } from '@tessera/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SignedUp, signUp } from '../auth/helpers.ts'
import { addMember, call } from './helpers.ts'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

interface CompanyJson {
  id: string
  name: string
  currency: string
  current: boolean
  version: number
}

const companies = async (token: string) => {
  const res = await call(t, token, 'GET', '/api/v1/companies')
  expect(res.statusCode).toBe(200)
  return res.json().data as CompanyJson[]
}
const me = async (token: string) => (await call(t, token, 'GET', '/api/v1/members/me')).json()
const newCompany = async (owner: SignedUp, name: string) => {
  const res = await call(t, owner.accessToken, 'POST', '/api/v1/companies', {
    name,
    currency: 'USD',
    country: 'US',
  })
  expect(res.statusCode).toBe(201)
  return res.json() as CompanyJson
}
const companyRow = (tenantId: string, id: string) =>
  withTenant(
    t.database.db,
    tenantId,
    async (trx) =>
      (
        await sql<{ name: string; version: number; currency: string }>`
      select name, version, currency from companies where id = ${id}`.execute(trx)
      ).rows[0],
  )
const switchTo = (token: string, companyId: unknown) =>
  call(t, token, 'PUT', '/api/v1/members/me/current-company', { company_id: companyId })

describe('companies a member works in', () => {
  it('lists only the allowed companies, the current one marked; a created company is its creator’s', async () => {
    const owner = await signUp(t)
    const [first] = await companies(owner.accessToken)
    expect(first).toMatchObject({ current: true, version: 1 })
    const member = await addMember(t, owner, ['user'])
    const second = await newCompany(owner, 'Beta Inc')
    expect(second).toMatchObject({ name: 'Beta Inc', currency: 'USD', current: false })
    expect((await companies(owner.accessToken)).map((c) => c.name)).toContain('Beta Inc')
    // the member joined before Beta existed: it is not theirs, so it is absent to them
    expect((await companies(member.token)).map((c) => c.id)).toEqual([first?.id])
    expect((await call(t, member.token, 'GET', `/api/v1/companies/${second.id}`)).statusCode).toBe(404)
    expect((await me(member.token)).company_ids).toEqual([first?.id])
  })

  it('switches the current company among the allowed ones; others are 404', async () => {
    const owner = await signUp(t)
    const other = await signUp(t)
    const second = await newCompany(owner, 'Beta Inc')
    const res = await switchTo(owner.accessToken, second.id)
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ id: second.id, current: true })
    expect((await me(owner.accessToken)).current_company_id).toBe(second.id)
    expect((await companies(owner.accessToken)).find((c) => c.current)?.id).toBe(second.id)

    const member = await addMember(t, owner, ['user'])
    const firstId = (await me(member.token)).current_company_id
    const notAllowed = await newCompany(owner, 'Gamma GmbH')
    expect((await switchTo(member.token, notAllowed.id)).statusCode).toBe(404)
    const foreign = (await companies(other.accessToken))[0]?.id
    expect((await switchTo(owner.accessToken, foreign)).statusCode).toBe(404)
    for (const bad of ['not-a-uuid', 7, null])
      expect((await switchTo(owner.accessToken, bad)).statusCode).toBe(400)
    const extra = await call(t, owner.accessToken, 'PUT', '/api/v1/members/me/current-company', {
      company_id: second.id,
      user_id: member.userId,
    })
    expect(extra.statusCode).toBe(400)
    expect((await me(member.token)).current_company_id).toBe(firstId)
    expect((await me(owner.accessToken)).current_company_id).toBe(second.id)
  })

  it('moves the current company when an administrator takes it away', async () => {
    const owner = await signUp(t)
    const member = await addMember(t, owner, ['user'])
    const second = await newCompany(owner, 'Beta Inc')
    const first = (await me(member.token)).current_company_id as string
    const allow = await call(
      t,
      owner.accessToken,
      'PATCH',
      `/api/v1/members/${member.membershipId}`,
      { company_ids: [first, second.id] },
      1,
    )
    expect(allow.statusCode).toBe(200)
    expect((await switchTo(member.token, second.id)).statusCode).toBe(200)
    const version = (await me(member.token)).version
    const narrow = await call(
      t,
      owner.accessToken,
      'PATCH',
      `/api/v1/members/${member.membershipId}`,
      { company_ids: [first] },
      version,
    )
    expect(narrow.statusCode).toBe(200)
    expect((await me(member.token)).current_company_id).toBe(first)
    expect((await call(t, member.token, 'GET', `/api/v1/companies/${second.id}`)).statusCode).toBe(404)
  })

  it('changes a company with If-Match: 428 without it, 409 when stale; currency is not changeable', async () => {
    const owner = await signUp(t)
    const [company] = await companies(owner.accessToken)
    const url = `/api/v1/companies/${company?.id}`
    expect((await call(t, owner.accessToken, 'PATCH', url, { name: 'Renamed' })).statusCode).toBe(428)
    const ok = await call(
      t,
      owner.accessToken,
      'PATCH',
      url,
      { name: 'Renamed', primary_color: '#112233' },
      1,
    )
    expect(ok.statusCode).toBe(200)
    expect(ok.json()).toMatchObject({ name: 'Renamed', version: 2 })
    expect(ok.headers.etag).toBe('"2"')
    const stale = await call(t, owner.accessToken, 'PATCH', url, { name: 'Again' }, 1)
    expect(stale.statusCode).toBe(409)
    for (const body of [
      { currency: 'USD' },
      { tenant_id: owner.tenantId },
      { version: 5 },
      { created_by: owner.userId },
      { name: '' },
      { timezone: 'Mars/Olympus' },
      { logo_url: 'http://example.com/logo.png' },
      {},
    ]) {
      const res = await call(t, owner.accessToken, 'PATCH', url, body, 2)
      expect(res.statusCode, JSON.stringify(body)).toBe(400)
    }
    expect(await companyRow(owner.tenantId, company?.id as string)).toEqual({
      name: 'Renamed',
      version: 2,
      currency: company?.currency,
    })
  })

  it("answers 404 for another tenant's company and for one the member is not allowed in", async () => {
    const a = await signUp(t)
    const b = await signUp(t)
    const [bCompany] = await companies(b.accessToken)
    const url = `/api/v1/companies/${bCompany?.id}`
    expect((await call(t, a.accessToken, 'GET', url)).statusCode).toBe(404)
    expect((await call(t, a.accessToken, 'PATCH', url, { name: 'Hijacked' }, 1)).statusCode).toBe(404)
    expect(await companyRow(b.tenantId, bCompany?.id as string)).toMatchObject({ version: 1 })

    const second = await newCompany(a, 'Beta Inc')
    const admin = await addMember(t, a, ['admin'])
    // the admin is allowed in every company that existed when they joined; not in a later one
    const third = await newCompany(a, 'Gamma GmbH')
    expect((await call(t, admin.token, 'GET', `/api/v1/companies/${second.id}`)).statusCode).toBe(200)
    const hidden = await call(t, admin.token, 'PATCH', `/api/v1/companies/${third.id}`, { name: 'x' }, 1)
    expect(hidden.statusCode).toBe(404)
  })

  it('refuses bad new companies with 400 and needs kernel.company:create', async () => {
    const owner = await signUp(t)
    const member = await addMember(t, owner, ['user'])
    const before = (await companies(owner.accessToken)).length
    for (const body of [
      { name: 'x', currency: 'XYZ' },
      { name: 'x', currency: 'usd' },
      { name: 'x', currency: 'EUR', tenant_id: owner.tenantId },
      { currency: 'EUR' },
    ]) {
      expect((await call(t, owner.accessToken, 'POST', '/api/v1/companies', body)).statusCode).toBe(400)
    }
    const refused = await call(t, member.token, 'POST', '/api/v1/companies', { name: 'x', currency: 'EUR' })
    expect(refused.statusCode).toBe(403)
    expect((await companies(owner.accessToken)).length).toBe(before)
  })

  it('keeps the current company among the allowed ones in the database itself', async () => {
    const owner = await signUp(t)
    const member = await addMember(t, owner, ['user'])
    const later = await newCompany(owner, 'Beta Inc')
    const attempt = withTenant(t.database.db, owner.tenantId, (trx) =>
      sql`update memberships set current_company_id = ${later.id} where id = ${member.membershipId}`.execute(
        trx,
      ),
    )
    await expect(attempt).rejects.toMatchObject({ code: '23503' })
  })
})
