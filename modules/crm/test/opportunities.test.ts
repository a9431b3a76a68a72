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
let stages: Record<StageName, string>

beforeAll(async () => {
  t = await createCrmApp()
  owner = await tenantWithCrm(t)
  stages = await stagesByName(t, owner.accessToken)
})
afterAll(() => t?.close())

describe('leads and opportunities', () => {
  it('seeds the default pipeline on activation', async () => {
    const res = await call(t, owner.accessToken, 'GET', '/api/v1/crm-stages?limit=50')
    expect(res.json().data.map((s: { name: string }) => s.name)).toEqual([
      'New',
      'Qualified',
      'Proposal',
      'Negotiation',
      'Won',
      'Lost',
    ])
  })

  it('converts a lead into an opportunity with new contacts from its free-text names', async () => {
    const lead = await created(t, owner.accessToken, '/api/v1/opportunities', {
      name: 'Website redesign',
      company_name: 'Globex',
      contact_name: 'Hank Scorpio',
      email: 'hank@globex.example.com',
      source: 'website',
    })
    expect(lead).toMatchObject({ type: 'lead', state: 'open', stage: null })
    const res = await call(t, owner.accessToken, 'POST', `/api/v1/crm/opportunities/${lead.id}/convert`, {})
    expect(res.statusCode, res.body).toBe(200)
    const opportunity = res.json()
    expect(opportunity).toMatchObject({ type: 'opportunity', stage: stages.New, owner: owner.userId })
    const org = await call(t, owner.accessToken, 'GET', `/api/v1/partners/${opportunity.organization}`)
    expect(org.json()).toMatchObject({ kind: 'organization', name: 'Globex', is_customer: false })
    const person = await call(t, owner.accessToken, 'GET', `/api/v1/partners/${opportunity.contact}`)
    expect(person.json()).toMatchObject({ kind: 'person', name: 'Hank Scorpio', organization: org.json().id })
    const again = await call(t, owner.accessToken, 'POST', `/api/v1/crm/opportunities/${lead.id}/convert`, {})
    expect(again.statusCode).toBe(422)
  })

  it('wins a deal: won stage, closed, its organisation a customer, crm.opportunity.won in the outbox', async () => {
    const org = await created(t, owner.accessToken, '/api/v1/partners', {
      kind: 'organization',
      name: 'Initech',
    })
    const deal = await created(t, owner.accessToken, '/api/v1/opportunities', {
      type: 'opportunity',
      name: 'TPS reports',
      organization: org.id,
      stage: stages.Qualified,
      expected_revenue: { amount: '12000.00', currency: 'EUR' },
      owner: owner.userId,
    })
    const won = await call(t, owner.accessToken, 'POST', `/api/v1/opportunities/${deal.id}/actions/win`)
    expect(won.statusCode, won.body).toBe(200)
    expect(won.json()).toMatchObject({ state: 'won', stage: stages.Won })
    expect(won.json().closed_at).toEqual(expect.any(String))
    const customer = await call(t, owner.accessToken, 'GET', `/api/v1/partners/${org.id}`)
    expect(customer.json().is_customer).toBe(true)
    const { rows } = await withTenant(t.database.db, owner.tenantId, (trx) =>
      sql<{ payload: { record: { organization: string } } }>`
        select payload from event_outbox where record_id = ${deal.id}::uuid and type = 'crm.opportunity.won'`.execute(
        trx,
      ),
    )
    expect(rows[0]?.payload.record.organization).toBe(org.id)
  })

  it('loses a deal only with a reason, and reopens it into the first open stage', async () => {
    const deal = await created(t, owner.accessToken, '/api/v1/opportunities', {
      type: 'opportunity',
      name: 'Stapler',
      company_name: 'Swingline',
      stage: stages.Qualified,
    })
    const refused = await call(t, owner.accessToken, 'POST', `/api/v1/opportunities/${deal.id}/actions/lose`)
    expect(refused.statusCode).toBe(422)
    expect(refused.json().errors[0].field).toBe('lost_reason')
    await call(t, owner.accessToken, 'PATCH', `/api/v1/opportunities/${deal.id}`, {
      lost_reason: 'Too expensive',
    })
    const lost = await call(t, owner.accessToken, 'POST', `/api/v1/opportunities/${deal.id}/actions/lose`)
    expect(lost.json()).toMatchObject({ state: 'lost', stage: stages.Lost })
    const reopened = await call(
      t,
      owner.accessToken,
      'POST',
      `/api/v1/opportunities/${deal.id}/actions/reopen`,
    )
    expect(reopened.json()).toMatchObject({ state: 'open', stage: stages.New, closed_at: null })
  })

  it('asks for a quote only when a sales module is there to make it', async () => {
    const deal = await created(t, owner.accessToken, '/api/v1/opportunities', {
      type: 'opportunity',
      name: 'Quote me',
    })
    const res = await call(t, owner.accessToken, 'POST', `/api/v1/crm/opportunities/${deal.id}/quote-request`)
    expect(res.statusCode).toBe(422)
    expect(res.json().code).toBe('sales_inactive')
  })
})
