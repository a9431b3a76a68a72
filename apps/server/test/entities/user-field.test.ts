import { createTestApp, type TestApp } from '@tessera/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addMember, call, type Member } from '../access/helpers.ts'
import { bearer, type SignedUp, signUp } from '../auth/helpers.ts'
import { csvRows, exportList, importFile } from '../transfer/helpers.ts'
import { expectProblem, meta, sqlIn } from './meta-helpers.ts'

/**
 * The `user` field type: a member of the current tenant by user id. CRM's opportunity owner is one
 * in a uuid column; a custom field keeps it in `custom`, a custom entity in `records.data`.
 */

let t: TestApp
let owner: SignedUp
let colleague: Member
let other: SignedUp

async function crmTenant(): Promise<SignedUp> {
  const signed = await signUp(t)
  for (const name of ['partners', 'crm']) {
    const res = await call(t, signed.accessToken, 'PATCH', `/api/v1/modules/${name}`, { active: true })
    if (res.statusCode !== 200) throw new Error(`activating ${name}: ${res.statusCode} ${res.body}`)
  }
  return signed
}

beforeAll(async () => {
  t = await createTestApp()
  owner = await crmTenant()
  other = await crmTenant()
  colleague = await addMember(t, owner, ['crm_user'])
  const reviewer = await meta(t, owner.accessToken, 'POST', '/entities/crm.opportunity/fields', {
    key: 'reviewer',
    type: 'user',
    label: 'Reviewer',
  })
  expect(reviewer.statusCode, reviewer.body).toBe(201)
  const visit = await meta(t, owner.accessToken, 'POST', '/entities', {
    name: 'visit',
    label: 'Visit',
    plural_label: 'Visits',
    fields: [
      { key: 'title', type: 'text', label: 'Title', required: true },
      { key: 'host', type: 'user', label: 'Host' },
    ],
  })
  expect(visit.statusCode, visit.body).toBe(201)
})
afterAll(() => t.close())

const NOBODY = '01a20000-0000-7000-8000-000000000000'
const deals = () => call(t, owner.accessToken, 'GET', '/api/v1/opportunities?limit=200')
const count = (table: 'crm_opportunities' | 'records') =>
  sqlIn(t, owner.tenantId, async (trx) => {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(trx)
    return rows[0]?.n
  })

async function createDeal(body: Record<string, unknown>) {
  const res = await call(t, owner.accessToken, 'POST', '/api/v1/opportunities', { name: 'Deal', ...body })
  expect(res.statusCode, res.body).toBe(201)
  return res.json() as { id: string; version: number; owner: string | null; custom: Record<string, unknown> }
}

describe('a user field in a column (crm.opportunity owner)', () => {
  it('takes a member id on create and update, and answers it as the id', async () => {
    const deal = await createDeal({ owner: colleague.userId })
    expect(deal.owner).toBe(colleague.userId)
    const moved = await call(t, owner.accessToken, 'PATCH', `/api/v1/opportunities/${deal.id}`, {
      owner: owner.userId,
    })
    expect(moved.statusCode, moved.body).toBe(200)
    expect(moved.json().owner).toBe(owner.userId)
    const cleared = await call(t, owner.accessToken, 'PATCH', `/api/v1/opportunities/${deal.id}`, {
      owner: null,
    })
    expect(cleared.json().owner).toBeNull()
    const stored = await sqlIn(t, owner.tenantId, async (trx) => {
      const { rows } = await sql<{ type: string }>`
        select pg_typeof(owner_id)::text as type from crm_opportunities where id = ${deal.id}`.execute(trx)
      return rows[0]?.type
    })
    expect(stored).toBe('uuid')
  })

  it('keeps an id sent in capitals as the member id', async () => {
    const deal = await createDeal({ owner: colleague.userId.toUpperCase() })
    expect(deal.owner).toBe(colleague.userId)
  })

  it.each([
    ['an id nobody has', () => NOBODY, 'unknown_member'],
    ["another tenant's user", () => other.userId, 'unknown_member'],
    ['a malformed id', () => 'not-a-uuid', 'format'],
    ['a number', () => 42, 'type'],
  ])('refuses %s with a 400 naming the field, writing nothing', async (_, value, code) => {
    const before = await count('crm_opportunities')
    const res = await call(t, owner.accessToken, 'POST', '/api/v1/opportunities', {
      name: 'X',
      owner: value(),
    })
    const problem = expectProblem(res, 400, 'owner')
    expect(problem.errors?.find((e) => e.field === 'owner')?.code).toBe(code)
    expect(await count('crm_opportunities')).toBe(before)

    const deal = await createDeal({ owner: colleague.userId })
    const patch = await call(t, owner.accessToken, 'PATCH', `/api/v1/opportunities/${deal.id}`, {
      owner: value(),
    })
    expectProblem(patch, 400, 'owner')
    const after = (await call(t, owner.accessToken, 'GET', `/api/v1/opportunities/${deal.id}`)).json()
    expect(after).toMatchObject({ owner: colleague.userId, version: deal.version })
  })

  it("refuses another tenant's user exactly as an id nobody has", async () => {
    const answer = async (id: string) => {
      const res = await call(t, owner.accessToken, 'POST', '/api/v1/opportunities', { name: 'X', owner: id })
      const { instance: _, request_id: __, ...problem } = res.json()
      return { status: res.statusCode, problem: JSON.parse(JSON.stringify(problem).replaceAll(id, '<id>')) }
    }
    expect(await answer(other.userId)).toEqual(await answer(NOBODY))
  })

  it('filters by it as a uuid', async () => {
    const mine = await createDeal({ name: 'Filtered', owner: colleague.userId })
    const res = await call(
      t,
      owner.accessToken,
      'GET',
      `/api/v1/opportunities?limit=200&filter=${encodeURIComponent(`owner = '${colleague.userId}'`)}`,
    )
    expect(res.statusCode, res.body).toBe(200)
    const found = res.json().data as { id: string; owner: string }[]
    expect(found.map((d) => d.id)).toContain(mine.id)
    expect(found.every((d) => d.owner === colleague.userId)).toBe(true)
    const all = (await deals()).json().data as { owner: string | null }[]
    expect(found.length).toBeLessThan(all.length)
    const bad = await call(
      t,
      owner.accessToken,
      'GET',
      `/api/v1/opportunities?filter=${encodeURIComponent("owner = 'x'")}`,
    )
    expectProblem(bad, 400)
  })
})

describe('a custom field of type user', () => {
  it('is reported as type user in the metadata, beside the owner', async () => {
    const res = await meta(t, owner.accessToken, 'GET', '/entities/crm.opportunity')
    expect(res.statusCode, res.body).toBe(200)
    const fields = res.json().fields as { name: string; type: string }[]
    expect(fields.find((f) => f.name === 'owner')?.type).toBe('user')
    expect(fields.find((f) => f.name === 'custom.reviewer')?.type).toBe('user')
  })

  it('takes a member, refuses a stranger naming custom.reviewer, and filters', async () => {
    const deal = await createDeal({ custom: { reviewer: colleague.userId } })
    expect(deal.custom.reviewer).toBe(colleague.userId)
    const before = await count('crm_opportunities')
    const refused = await call(t, owner.accessToken, 'POST', '/api/v1/opportunities', {
      name: 'X',
      custom: { reviewer: other.userId },
    })
    expectProblem(refused, 400, 'custom.reviewer')
    expect(await count('crm_opportunities')).toBe(before)
    const filter = encodeURIComponent(`custom.reviewer = '${colleague.userId}'`)
    const found = await call(t, owner.accessToken, 'GET', `/api/v1/opportunities?filter=${filter}`)
    expect(found.statusCode, found.body).toBe(200)
    expect((found.json().data as { id: string }[]).map((d) => d.id)).toEqual([deal.id])
  })

  it('cannot have a default', async () => {
    const res = await meta(t, owner.accessToken, 'POST', '/entities/crm.opportunity/fields', {
      key: 'approver',
      type: 'user',
      label: 'Approver',
      default: owner.userId,
    })
    expectProblem(res, 400, 'default')
  })
})

describe('a user field of a custom entity', () => {
  it('takes a member, refuses a stranger, and filters', async () => {
    const made = await call(t, owner.accessToken, 'POST', '/api/v1/custom/visits', {
      title: 'Site visit',
      host: colleague.userId,
    })
    expect(made.statusCode, made.body).toBe(201)
    expect(made.json().host).toBe(colleague.userId)
    await call(t, owner.accessToken, 'POST', '/api/v1/custom/visits', { title: 'Mine', host: owner.userId })
    const before = await count('records')
    for (const host of [other.userId, NOBODY, 'x']) {
      const res = await call(t, owner.accessToken, 'POST', '/api/v1/custom/visits', { title: 'Bad', host })
      expectProblem(res, 400, 'host')
    }
    expect(await count('records')).toBe(before)
    const filter = encodeURIComponent(`host = '${colleague.userId}'`)
    const found = await call(t, owner.accessToken, 'GET', `/api/v1/custom/visits?filter=${filter}`)
    expect(found.statusCode, found.body).toBe(200)
    expect((found.json().data as { id: string }[]).map((r) => r.id)).toEqual([made.json().id])
  })
})

describe('export and import', () => {
  it('exports the id and imports it back, refusing a stranger for the whole file', async () => {
    await createDeal({ name: 'Exported', owner: colleague.userId })
    const exported = await exportList(t, owner.accessToken, 'opportunities', {
      format: 'csv',
      filter: "name = 'Exported'",
    })
    expect(exported.statusCode, exported.body).toBe(200)
    const [header, row] = csvRows(exported.body)
    expect(row?.[header?.indexOf('owner') ?? -1]).toBe(colleague.userId)

    const imported = await importFile(
      t,
      owner.accessToken,
      'opportunities',
      `name,owner\nImported,${colleague.userId}\n`,
    )
    expect(imported.statusCode, imported.body).toBe(201)
    const filter = encodeURIComponent("name = 'Imported'")
    const found = await call(t, owner.accessToken, 'GET', `/api/v1/opportunities?filter=${filter}`)
    expect(found.json().data.map((d: { owner: string }) => d.owner)).toEqual([colleague.userId])

    const before = await count('crm_opportunities')
    const csv = `name,owner\nFine,${colleague.userId}\nStranger,${other.userId}\n`
    const refused = await importFile(t, owner.accessToken, 'opportunities', csv)
    expect(refused.statusCode, refused.body).toBe(400)
    expect(refused.json().errors).toMatchObject([{ row: 3, field: 'owner', code: 'unknown_member' }])
    expect(await count('crm_opportunities')).toBe(before)
  })
})

describe('the OpenAPI document', () => {
  it('describes a user field as a uuid string', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/openapi.json',
      headers: bearer(owner.accessToken),
    })
    expect(res.statusCode).toBe(200)
    const schemas = res.json().components.schemas
    const uuid = { type: 'string', format: 'uuid' }
    expect(JSON.stringify(schemas.CrmOpportunity.properties.owner)).toContain(JSON.stringify(uuid))
    expect(schemas.CrmOpportunityInput.properties.owner.anyOf[0]).toMatchObject(uuid)
    expect(schemas.CrmOpportunity.properties.custom.properties.reviewer.anyOf[0]).toMatchObject(uuid)
    expect(schemas.CustomVisitInput.properties.host.anyOf[0]).toMatchObject(uuid)
  })
})
