import { createRegistry, fillDemoTenant } from '@tessera/kernel'
import type { TestApp } from '@tessera/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { partnersModule } from '../../partners/src/index.ts'
import { crmModule } from '../src/index.ts'
import { call, createCrmApp, deliverEvents, type SignedUp, signUp } from './helpers.ts'

let t: TestApp
let owner: SignedUp

beforeAll(async () => {
  t = await createCrmApp()
  owner = await signUp(t)
  await fillDemoTenant(t.database.db, createRegistry([partnersModule, crmModule]), {
    tenantId: owner.tenantId,
    userId: owner.userId,
  })
}, 120_000)
afterAll(() => t?.close())

const count = async (url: string) =>
  (await call(t, owner.accessToken, 'GET', `${url}?count=true&limit=1`)).json().count

describe('the demo hook', () => {
  it('activates partners and CRM and fills a realistic pipeline', async () => {
    expect(await count('/api/v1/partners')).toBe(50)
    expect(await count('/api/v1/opportunities')).toBe(40)
    expect(await count('/api/v1/crm-activities')).toBe(100)
    const pipeline = (await call(t, owner.accessToken, 'GET', '/api/v1/crm/pipeline')).json()
    expect(pipeline.unconverted).toEqual([])
    expect(Number(pipeline.total.amount)).toBeGreaterThan(0)
    const won = pipeline.columns.find((c: { stage: { name: string } }) => c.stage.name === 'Won')
    expect(won.count).toBeGreaterThan(0)
  })

  it('gives the focus, confidence and memory something to show', async () => {
    await deliverEvents(t)
    const focus = (await call(t, owner.accessToken, 'GET', '/api/v1/crm/focus')).json()
    expect(focus.missions.length).toBeGreaterThan(0)
    const deals = (
      await call(
        t,
        owner.accessToken,
        'GET',
        "/api/v1/opportunities?filter=state = 'open' and type = 'opportunity'&limit=1",
      )
    ).json()
    const confidence = (
      await call(t, owner.accessToken, 'GET', `/api/v1/crm/opportunities/${deals.data[0].id}/confidence`)
    ).json()
    expect(confidence.score).toEqual(expect.any(Number))
    const memory = (
      await call(t, owner.accessToken, 'GET', `/api/v1/crm/memory?opportunity=${deals.data[0].id}`)
    ).json()
    expect(memory.facts.length).toBeGreaterThan(0)
  })
})
