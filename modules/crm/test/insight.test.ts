import { withTenant } from '@tessera/kernel'
import type { TestApp } from '@tessera/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { upload } from '../../../apps/server/test/files/helpers.ts'
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
let org: { id: string }
let deal: { id: string; version: number }

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10)
const get = async (url: string, token = owner.accessToken) => {
  const res = await call(t, token, 'GET', url)
  expect(res.statusCode, res.body).toBe(200)
  return res.json()
}

beforeAll(async () => {
  t = await createCrmApp()
  owner = await tenantWithCrm(t)
  stages = await stagesByName(t, owner.accessToken)
  org = await created(t, owner.accessToken, '/api/v1/partners', {
    kind: 'organization',
    name: 'Umbrella Corp',
  })
  await created(t, owner.accessToken, '/api/v1/partners', {
    kind: 'person',
    name: 'Alice Wong',
    organization: org.id,
  })
  deal = await created(t, owner.accessToken, '/api/v1/opportunities', {
    type: 'opportunity',
    name: 'Umbrella lab equipment',
    organization: org.id,
    stage: stages.New,
    owner: owner.userId,
    expected_revenue: { amount: '40000.00', currency: 'EUR' },
  })
  await call(t, owner.accessToken, 'PATCH', `/api/v1/opportunities/${deal.id}`, { stage: stages.Qualified })
  await created(t, owner.accessToken, '/api/v1/crm-activities', {
    type: 'call',
    subject: 'Discovery call',
    note: 'Spoke with Maria Lopez on Monday. She prefers email over phone calls. Her daughter has her wedding on 12 June. We will send the revised proposal by Friday.',
    opportunity: deal.id,
    done: true,
  })
  await upload(
    t,
    owner.accessToken,
    { entity: 'crm.opportunity', record_id: deal.id, filename: 'brief.txt' },
    'the brief',
  )
})
afterAll(() => t?.close())

describe('timeline', () => {
  it('of an opportunity: its activities, changes, stage moves and documents, newest first, by pages', async () => {
    const all = await get(`/api/v1/crm/timeline?opportunity=${deal.id}&limit=100`)
    const kinds = all.data.map((i: { kind: string }) => i.kind)
    expect(kinds).toEqual(expect.arrayContaining(['created', 'stage_move', 'activity', 'document']))
    const move = all.data.find((i: { kind: string }) => i.kind === 'stage_move')
    expect(move.stage).toEqual({ from: 'New', to: 'Qualified' })
    const times = all.data.map((i: { at: string }) => i.at)
    expect([...times].sort().reverse()).toEqual(times)

    const first = await get(`/api/v1/crm/timeline?opportunity=${deal.id}&limit=2`)
    expect(first.data).toHaveLength(2)
    const second = await get(
      `/api/v1/crm/timeline?opportunity=${deal.id}&limit=100&cursor=${first.next_cursor}`,
    )
    expect([...first.data, ...second.data].map((i: { id: string }) => i.id)).toEqual(
      all.data.map((i: { id: string }) => i.id),
    )
  })

  it("of a contact includes its opportunities' history; another tenant's contact is a 404", async () => {
    const timeline = await get(`/api/v1/crm/timeline?partner=${org.id}`)
    expect(
      timeline.data.some(
        (i: { entity: string; kind: string }) => i.entity === 'crm.opportunity' && i.kind === 'activity',
      ),
    ).toBe(true)
    const other = await tenantWithCrm(t)
    expect(
      (await call(t, other.accessToken, 'GET', `/api/v1/crm/timeline?partner=${org.id}`)).statusCode,
    ).toBe(404)
    expect(
      (await call(t, owner.accessToken, 'GET', `/api/v1/crm/timeline?opportunity=${deal.id}&cursor=nope`))
        .statusCode,
    ).toBe(400)
  })
})

describe('customer memory', () => {
  it('extracts people, dates, personal events, preferences and commitments into a summary', async () => {
    const memory = await get(`/api/v1/crm/memory?opportunity=${deal.id}`)
    const of = (kind: string) =>
      memory.facts.filter((f: { kind: string }) => f.kind === kind).map((f: { text: string }) => f.text)
    expect(of('person')).toContain('Maria Lopez')
    expect(of('date')).toEqual(expect.arrayContaining(['Monday', '12 June']))
    expect(of('preference')).toEqual(['She prefers email over phone calls.'])
    expect(of('personal_event')).toEqual(['Her daughter has her wedding on 12 June.'])
    expect(of('commitment')).toEqual(['We will send the revised proposal by Friday.'])
    expect(memory.summary).toMatch(
      /^Last time \(call on \d{4}-\d{2}-\d{2}: Discovery call\): Spoke with Maria Lopez on Monday\./,
    )
    expect(memory.summary).toContain('Remember: We will send the revised proposal by Friday.')
    const none = await call(t, owner.accessToken, 'GET', '/api/v1/crm/memory')
    expect(none.statusCode).toBe(400)
    expect(none.json().errors[0].field).toBe('partner')
  })
})

describe('GET /api/v1/partners/{id}/overview', () => {
  it('returns every section the member may read', async () => {
    const view = await get(`/api/v1/partners/${org.id}/overview`)
    expect(view.profile).toMatchObject({ id: org.id, name: 'Umbrella Corp' })
    expect(view.sections).toEqual(['contacts', 'opportunities', 'activities', 'memory', 'documents'])
    expect(view.contacts.map((c: { name: string }) => c.name)).toEqual(['Alice Wong'])
    expect(view.opportunities[0]).toMatchObject({ id: deal.id, stage: { name: 'Qualified' } })
    expect(view.documents.map((d: { name: string }) => d.name)).toEqual(['brief.txt'])
  })

  it('leaves out the sections a member may not read, and 404s for another tenant', async () => {
    const reader = await addMember(t, owner, ['partners_user'])
    const view = await get(`/api/v1/partners/${org.id}/overview`, reader.token)
    expect(view.sections).toEqual(['contacts', 'documents'])
    expect(view.opportunities).toBeUndefined()
    const other = await tenantWithCrm(t)
    expect((await call(t, other.accessToken, 'GET', `/api/v1/partners/${org.id}/overview`)).statusCode).toBe(
      404,
    )
  })
})

describe('GET /api/v1/crm/focus', () => {
  it("ranks the member's missions with why and a one-click action that works", async () => {
    const overdue = await created(t, owner.accessToken, '/api/v1/crm-activities', {
      type: 'task',
      subject: 'Send the pricing sheet',
      opportunity: deal.id,
      assignee: owner.userId,
      due_date: day(-3),
    })
    const focus = await get('/api/v1/crm/focus')
    expect(focus.date).toBe(day(0))
    const [top] = focus.missions
    expect(top).toMatchObject({
      kind: 'overdue_activity',
      why: `Due ${day(-3)}, 3 days overdue.`,
      action: { method: 'PATCH', href: `/api/v1/crm-activities/${overdue.id}`, body: { done: true } },
    })
    const done = await call(t, owner.accessToken, top.action.method, top.action.href, top.action.body)
    expect(done.statusCode).toBe(200)

    const after = await get('/api/v1/crm/focus')
    const next = after.missions.find((m: { kind: string }) => m.kind === 'no_next_step')
    expect(next).toMatchObject({
      record: { id: deal.id },
      action: { method: 'POST', href: '/api/v1/crm-activities' },
    })
    expect(next.why).toContain('40000.00 EUR')
    const planned = await call(t, owner.accessToken, next.action.method, next.action.href, next.action.body)
    expect(planned.statusCode, planned.body).toBe(201)
    const finally_ = await get('/api/v1/crm/focus')
    expect(finally_.missions.some((m: { kind: string }) => m.kind === 'no_next_step')).toBe(false)
  })

  it('lists a proposal sent days ago with nothing since', async () => {
    const proposal = await created(t, owner.accessToken, '/api/v1/crm-activities', {
      type: 'email',
      subject: 'Proposal',
      opportunity: deal.id,
      is_proposal: true,
      done: true,
      opens: 2,
    })
    const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000)
    await withTenant(t.database.db, owner.tenantId, async (trx) => {
      // everything on the deal happened eleven days ago; the proposal went out five days ago
      await sql`update crm_activities set created_at = ${daysAgo(11)}, updated_at = ${daysAgo(11)}
        where opportunity_id = ${deal.id}::uuid`.execute(trx)
      await sql`update crm_activities set updated_at = ${daysAgo(5)} where id = ${proposal.id}::uuid`.execute(
        trx,
      )
    })
    const focus = await get('/api/v1/crm/focus')
    const follow = focus.missions.find((m: { kind: string }) => m.kind === 'proposal_follow_up')
    expect(follow).toMatchObject({
      why: 'Proposal sent 5 days ago (opened 2 times), nothing since.',
      action: {
        method: 'POST',
        href: '/api/v1/crm-activities',
        body: { type: 'call', opportunity: deal.id },
      },
    })
  })

  it('lists a deal whose confidence dropped', async () => {
    await deliverEvents(t)
    await call(t, owner.accessToken, 'PATCH', `/api/v1/opportunities/${deal.id}`, {
      expected_close_date: day(-1),
    })
    await deliverEvents(t)
    const focus = await get('/api/v1/crm/focus')
    const dropped = focus.missions.find((m: { kind: string }) => m.kind === 'confidence_dropped')
    expect(dropped.why).toContain(`Expected close date ${day(-1)} has passed`)
  })
})
