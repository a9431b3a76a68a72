import type { TestApp } from '@tessera/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { crmModule } from '../src/index.ts'
import {
  addMember,
  call,
  createCrmApp,
  created,
  deliverEvents,
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

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10)
const confidence = async (id: string) =>
  (await call(t, owner.accessToken, 'GET', `/api/v1/crm/opportunities/${id}/confidence`)).json()

describe('activities', () => {
  it('notify their assignee, and mark themselves overdue', async () => {
    const member = await addMember(t, owner, ['crm_user'])
    const org = await created(t, owner.accessToken, '/api/v1/partners', {
      kind: 'organization',
      name: 'Acme',
    })
    const activity = await created(t, owner.accessToken, '/api/v1/crm-activities', {
      type: 'call',
      subject: 'Call about the renewal',
      partner: org.id,
      assignee: member.userId,
      due_date: day(-2),
    })
    expect(activity.overdue).toBe(true)
    await deliverEvents(t)
    const inbox = (await call(t, member.token, 'GET', '/api/v1/notifications')).json().data
    expect(inbox).toEqual([
      expect.objectContaining({ type: 'crm.activity.assigned', title: 'New call: Call about the renewal' }),
    ])
    const done = await call(t, member.token, 'PATCH', `/api/v1/crm-activities/${activity.id}`, { done: true })
    expect(done.json().overdue).toBe(false)
  })
})

describe('deal confidence', () => {
  it('is computed on events from signed signals, each with its reason', async () => {
    const deal = await created(t, owner.accessToken, '/api/v1/opportunities', {
      type: 'opportunity',
      name: 'Fleet renewal',
      company_name: 'Acme',
      stage: stages.Proposal,
      expected_revenue: { amount: '5000.00', currency: 'EUR' },
      expected_close_date: day(-1),
    })
    await deliverEvents(t)
    expect(await confidence(deal.id)).toMatchObject({
      score: 30,
      signals: [
        { code: 'stage', amount: 50, reason: 'In the stage "Proposal" (50% probability)' },
        { code: 'close_date_passed', amount: -20, reason: `Expected close date ${day(-1)} has passed` },
      ],
    })
    await created(t, owner.accessToken, '/api/v1/crm-activities', {
      type: 'meeting',
      subject: 'Demo',
      opportunity: deal.id,
      due_date: day(3),
    })
    await created(t, owner.accessToken, '/api/v1/crm-activities', {
      type: 'email',
      subject: 'Our proposal',
      opportunity: deal.id,
      is_proposal: true,
      done: true,
      opens: 3,
    })
    await deliverEvents(t)
    const score = await confidence(deal.id)
    expect(score.score).toBe(75)
    expect(score.previous_score).toBe(30)
    expect(score.signals.map((s: { code: string; amount: number }) => [s.code, s.amount])).toEqual([
      ['stage', 50],
      ['meeting_scheduled', 15],
      ['proposal_sent', 10],
      ['proposal_opened', 20],
      ['close_date_passed', -20],
    ])
  })

  it('uses the tenant weights, refusing any out of range without saving', async () => {
    const bad = await call(t, owner.accessToken, 'PUT', '/api/v1/crm/confidence-weights', {
      meeting_scheduled: 80,
      close_date_passed: 5,
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.headers['content-type']).toContain('application/problem+json')
    expect(
      bad
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['close_date_passed', 'meeting_scheduled'])
    const wrongType = await call(t, owner.accessToken, 'PUT', '/api/v1/crm/confidence-weights', {
      idle_days: 'x',
    })
    expect(wrongType.statusCode).toBe(400)
    const unchanged = (await call(t, owner.accessToken, 'GET', '/api/v1/crm/confidence-weights')).json()
    expect(unchanged).toMatchObject({ meeting_scheduled: 15, close_date_passed: -20, idle_days: 5 })

    const member = await addMember(t, owner, ['crm_user'])
    expect(
      (await call(t, member.token, 'PUT', '/api/v1/crm/confidence-weights', { idle_days: 3 })).statusCode,
    ).toBe(403)

    const saved = await call(t, owner.accessToken, 'PUT', '/api/v1/crm/confidence-weights', {
      close_date_passed: -30,
    })
    expect(saved.statusCode, saved.body).toBe(200)
    expect(saved.json().close_date_passed).toBe(-30)
    const deals = (
      await call(t, owner.accessToken, 'GET', "/api/v1/opportunities?filter=name = 'Fleet renewal'")
    ).json()
    expect((await confidence(deals.data[0].id)).score).toBe(65)
  })

  it('is recomputed for every tenant by the nightly job', async () => {
    const deal = await created(t, owner.accessToken, '/api/v1/opportunities', {
      type: 'opportunity',
      name: 'Nightly',
      company_name: 'Acme',
      stage: stages.Qualified,
    })
    expect((await confidence(deal.id)).score).toBeNull()
    const job = crmModule.jobs?.[0]
    await job?.run({ db: t.database.db })
    expect((await confidence(deal.id)).score).toBe(25)
  })
})
