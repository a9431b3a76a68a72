import { withTenant } from '@tessera/kernel'
import type { TestApp } from '@tessera/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  call,
  createCrmApp,
  created,
  type SignedUp,
  type StageName,
  stagesByName,
  tenantWithCrm,
} from './helpers.ts'

let t: TestApp
let owner: SignedUp
let other: SignedUp
let stages: Record<StageName, string>

beforeAll(async () => {
  t = await createCrmApp()
  owner = await tenantWithCrm(t)
  other = await tenantWithCrm(t)
  stages = await stagesByName(t, owner.accessToken)
})
afterAll(() => t?.close())

const count = async (table: 'crm_opportunities' | 'crm_activities') => {
  const { rows } = await withTenant(t.database.db, owner.tenantId, (trx) =>
    sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(trx),
  )
  return Number(rows[0]?.n)
}

const problem = (res: { statusCode: number; headers: Record<string, unknown>; json(): unknown }) => {
  expect(String(res.headers['content-type'])).toContain('application/problem+json')
  return res.json() as { code: string; errors: { field: string; code: string }[] }
}

describe('bad input writes nothing and names the field', () => {
  it.each([
    [
      'a negative expected revenue',
      { expected_revenue: { amount: '-5.00', currency: 'EUR' } },
      400,
      'expected_revenue',
    ],
    [
      'an unknown currency',
      { expected_revenue: { amount: '5.00', currency: 'ZZZ' } },
      400,
      'expected_revenue',
    ],
    [
      'more places than the currency has',
      { expected_revenue: { amount: '5.001', currency: 'EUR' } },
      400,
      'expected_revenue',
    ],
    ['an owner who is no member', { owner: '01a20000-0000-7000-8000-000000000000' }, 400, 'owner'],
    ['an unknown type', { type: 'deal' }, 400, 'type'],
    ['a state (only actions set it)', { state: 'won' }, 400, 'state'],
  ])('%s', async (_, body, status, field) => {
    const before = await count('crm_opportunities')
    const res = await call(t, owner.accessToken, 'POST', '/api/v1/opportunities', { name: 'Bad', ...body })
    expect(res.statusCode, res.body).toBe(status)
    expect(problem(res).errors.map((e) => e.field)).toContain(field)
    expect(await count('crm_opportunities')).toBe(before)
  })

  it('a stage move that skips a field the stage requires (Proposal needs expected_revenue)', async () => {
    const deal = await created(t, owner.accessToken, '/api/v1/opportunities', {
      type: 'opportunity',
      name: 'No amount yet',
      stage: stages.Qualified,
    })
    const res = await call(t, owner.accessToken, 'PATCH', `/api/v1/opportunities/${deal.id}`, {
      stage: stages.Proposal,
    })
    expect(res.statusCode).toBe(422)
    expect(problem(res)).toMatchObject({
      code: 'required_by_stage',
      errors: [{ field: 'expected_revenue', code: 'required_by_stage' }],
    })
    const negotiation = await call(t, owner.accessToken, 'PATCH', `/api/v1/opportunities/${deal.id}`, {
      stage: stages.Negotiation,
      expected_revenue: { amount: '10.00', currency: 'EUR' },
    })
    expect(problem(negotiation).errors.map((e) => e.field)).toEqual(['expected_close_date'])
    const after = (await call(t, owner.accessToken, 'GET', `/api/v1/opportunities/${deal.id}`)).json()
    expect(after).toMatchObject({ stage: stages.Qualified, version: deal.version, expected_revenue: null })
  })

  it('a move into the won stage without the win action', async () => {
    const deal = await created(t, owner.accessToken, '/api/v1/opportunities', {
      type: 'opportunity',
      name: 'Shortcut',
    })
    const res = await call(t, owner.accessToken, 'PATCH', `/api/v1/opportunities/${deal.id}`, {
      stage: stages.Won,
    })
    expect(res.statusCode).toBe(422)
    expect(problem(res).errors[0]?.field).toBe('stage')
  })

  it("an activity linked to another tenant's partner or opportunity is a 404 naming the field", async () => {
    const theirs = await created(t, other.accessToken, '/api/v1/partners', {
      kind: 'person',
      name: 'Not yours',
    })
    const theirDeal = await created(t, other.accessToken, '/api/v1/opportunities', {
      name: 'Not yours either',
    })
    const before = await count('crm_activities')
    const res = await call(t, owner.accessToken, 'POST', '/api/v1/crm-activities', {
      subject: 'Sneaky',
      partner: theirs.id,
    })
    expect(res.statusCode).toBe(404)
    expect(problem(res).errors[0]?.field).toBe('partner')
    const viaDeal = await call(t, owner.accessToken, 'POST', '/api/v1/crm-activities', {
      subject: 'Sneaky',
      opportunity: theirDeal.id,
    })
    expect(viaDeal.statusCode).toBe(404)
    expect(problem(viaDeal).errors[0]?.field).toBe('opportunity')
    expect(await count('crm_activities')).toBe(before)
  })

  it('an activity linked to nothing, or assigned to a stranger', async () => {
    const unlinked = await call(t, owner.accessToken, 'POST', '/api/v1/crm-activities', {
      subject: 'Floating',
    })
    expect(unlinked.statusCode).toBe(400)
    expect(problem(unlinked).errors[0]?.field).toBe('opportunity')
    const partner = await created(t, owner.accessToken, '/api/v1/partners', { kind: 'person', name: 'Mine' })
    const stranger = await call(t, owner.accessToken, 'POST', '/api/v1/crm-activities', {
      subject: 'Who?',
      partner: partner.id,
      assignee: other.userId,
    })
    // the same answer for another tenant's user as for an id nobody has (see checkMembers)
    expect(stranger.statusCode).toBe(400)
    expect(problem(stranger).errors[0]?.field).toBe('assignee')
  })

  it("another tenant's opportunity is a 404 on every CRM route", async () => {
    const theirs = await created(t, other.accessToken, '/api/v1/opportunities', {
      name: 'Theirs',
      company_name: 'X',
    })
    for (const [method, url] of [
      ['GET', `/api/v1/opportunities/${theirs.id}`],
      ['GET', `/api/v1/crm/opportunities/${theirs.id}/confidence`],
      ['POST', `/api/v1/crm/opportunities/${theirs.id}/convert`],
      ['POST', `/api/v1/opportunities/${theirs.id}/actions/win`],
    ] as const) {
      const res = await call(
        t,
        owner.accessToken,
        method,
        url,
        method === 'POST' && url.endsWith('convert') ? {} : undefined,
      )
      expect(res.statusCode, `${method} ${url}`).toBe(404)
    }
  })
})
