import type { TestApp } from '@tessera/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  addMember,
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

const deal = (name: string, stage: string, amount: string, currency: string, extra: object = {}) =>
  created(t, owner.accessToken, '/api/v1/opportunities', {
    type: 'opportunity',
    name,
    stage,
    expected_revenue: { amount, currency },
    ...extra,
  })

describe('exchange rates', () => {
  it('are entered, corrected on the same day and listed', async () => {
    const first = await call(t, owner.accessToken, 'POST', '/api/v1/exchange-rates', {
      base: 'USD',
      quote: 'EUR',
      rate: '0.95',
      valid_on: '2026-01-01',
    })
    expect(first.statusCode, first.body).toBe(201)
    const corrected = await call(t, owner.accessToken, 'POST', '/api/v1/exchange-rates', {
      base: 'USD',
      quote: 'EUR',
      rate: '0.9',
      valid_on: '2026-01-01',
    })
    expect(corrected.json()).toMatchObject({ base: 'USD', quote: 'EUR', rate: '0.9', valid_on: '2026-01-01' })
    const list = await call(t, owner.accessToken, 'GET', '/api/v1/exchange-rates?base=USD')
    expect(list.json().data).toHaveLength(1)
  })

  it.each([
    ['an unknown currency', { base: 'ZZZ', quote: 'EUR', rate: '1', valid_on: '2026-01-01' }, 'base'],
    ['one currency twice', { base: 'EUR', quote: 'EUR', rate: '1', valid_on: '2026-01-01' }, 'quote'],
    ['a zero rate', { base: 'GBP', quote: 'EUR', rate: '0', valid_on: '2026-01-01' }, 'rate'],
    ['a negative rate', { base: 'GBP', quote: 'EUR', rate: '-1.2', valid_on: '2026-01-01' }, 'rate'],
  ])('refuse %s naming the field, writing nothing', async (_, body, field) => {
    const res = await call(t, owner.accessToken, 'POST', '/api/v1/exchange-rates', body)
    expect(res.statusCode).toBe(400)
    expect(res.headers['content-type']).toContain('application/problem+json')
    expect(res.json().errors[0].field).toBe(field)
    const list = await call(t, owner.accessToken, 'GET', '/api/v1/exchange-rates?base=GBP')
    expect(list.json().data).toHaveLength(0)
  })

  it('need kernel.exchange_rate:manage to change, and another tenant cannot delete them', async () => {
    const member = await addMember(t, owner, ['crm_user'])
    const res = await call(t, member.token, 'POST', '/api/v1/exchange-rates', {
      base: 'GBP',
      quote: 'EUR',
      rate: '1.1',
      valid_on: '2026-01-01',
    })
    expect(res.statusCode).toBe(403)
    const other = await tenantWithCrm(t)
    const [rate] = (await call(t, owner.accessToken, 'GET', '/api/v1/exchange-rates')).json().data
    expect((await call(t, other.accessToken, 'DELETE', `/api/v1/exchange-rates/${rate.id}`)).statusCode).toBe(
      404,
    )
  })
})

describe('GET /api/v1/crm/pipeline', () => {
  it('totals each stage in the company currency and lists what it could not convert', async () => {
    const tag = await created(t, owner.accessToken, '/api/v1/partner-tags', { name: 'Enterprise' })
    await deal('Euro deal', stages.New, '1000.00', 'EUR', { owner: owner.userId, tags: [tag.id] })
    await deal('Dollar deal', stages.New, '1000.00', 'USD')
    await deal('Yen deal', stages.Qualified, '50000', 'JPY')
    const res = await call(t, owner.accessToken, 'GET', '/api/v1/crm/pipeline')
    expect(res.statusCode, res.body).toBe(200)
    const body = res.json()
    expect(body.currency).toBe('EUR')
    const column = (name: string) =>
      body.columns.find((c: { stage: { name: string } }) => c.stage.name === name)
    expect(column('New')).toMatchObject({
      count: 2,
      total: { amount: '1900.00', currency: 'EUR' },
      unconverted: [],
    })
    const dollar = column('New').opportunities.find((o: { name: string }) => o.name === 'Dollar deal')
    expect(dollar.expected_revenue_converted).toEqual({ amount: '900.00', currency: 'EUR' })
    expect(column('Qualified')).toMatchObject({
      count: 1,
      total: { amount: '0.00', currency: 'EUR' },
      unconverted: [{ currency: 'JPY', amount: '50000', count: 1 }],
    })
    expect(body.total).toEqual({ amount: '1900.00', currency: 'EUR' })
    expect(body.unconverted).toEqual([{ currency: 'JPY', amount: '50000', count: 1 }])
    expect(body.columns.map((c: { stage: { name: string } }) => c.stage.name)).toEqual([
      'New',
      'Qualified',
      'Proposal',
      'Negotiation',
      'Won',
      'Lost',
    ])

    const mine = (
      await call(t, owner.accessToken, 'GET', `/api/v1/crm/pipeline?owner=${owner.userId}`)
    ).json()
    expect(mine.total?.amount, JSON.stringify(mine)).toBe('1000.00')
    expect(mine.columns[0].opportunities[0].owner).toEqual({ id: owner.userId, name: 'Ada Lovelace' })
    const tagged = (await call(t, owner.accessToken, 'GET', `/api/v1/crm/pipeline?tag=${tag.id}`)).json()
    expect(tagged.columns[0].opportunities.map((o: { name: string }) => o.name)).toEqual(['Euro deal'])
    expect(tagged.columns[0].opportunities[0].tags).toEqual([{ id: tag.id, name: 'Enterprise' }])
  })

  it('converts through the inverse pair, at the latest rate on or before today', async () => {
    const rate = (base: string, quote: string, value: string, validOn: string) =>
      call(t, owner.accessToken, 'POST', '/api/v1/exchange-rates', {
        base,
        quote,
        rate: value,
        valid_on: validOn,
      })
    await rate('EUR', 'GBP', '0.5', '2025-01-01')
    await rate('EUR', 'GBP', '0.8', '2026-01-01')
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)
    await rate('EUR', 'GBP', '0.1', tomorrow)
    await deal('Pound deal', stages.Proposal, '80.01', 'GBP')
    const body = (await call(t, owner.accessToken, 'GET', '/api/v1/crm/pipeline')).json()
    const proposal = body.columns.find((c: { stage: { name: string } }) => c.stage.name === 'Proposal')
    // 80.01 / 0.8 = 100.0125, rounded to the cent
    expect(proposal.total).toEqual({ amount: '100.01', currency: 'EUR' })
  })

  it('shows another tenant none of these deals', async () => {
    const other = await tenantWithCrm(t)
    const body = (await call(t, other.accessToken, 'GET', '/api/v1/crm/pipeline')).json()
    expect(body.columns.every((c: { count: number }) => c.count === 0)).toBe(true)
  })
})
