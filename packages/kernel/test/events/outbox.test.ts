import {
  authenticateAccessToken,
  createRecord,
  entityContext,
  eventType,
  loadModel,
  pastTense,
  withTenant,
} from '@tessera/kernel'
import { createTestApp, type TestApp } from '@tessera/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SignedUp } from '../../../../apps/server/test/auth/helpers.ts'
import { api, catalogModule, create, outbox, tenantWith } from './helpers.ts'

let t: TestApp
let owner: SignedUp
beforeAll(async () => {
  t = await createTestApp({ modules: [catalogModule] })
  owner = await tenantWith(t, ['catalog'])
})
afterAll(async () => t?.close())

const ITEM = { name: 'Widget', kind: 'good', quantity: 5 }

describe('the outbox', () => {
  it('gets exactly one event per entity write, in the write’s transaction, with who and which request', async () => {
    const res = await api(t, owner.accessToken, 'POST', '/api/v1/catalog-items', ITEM)
    expect(res.statusCode, res.body).toBe(201)
    const item = res.json() as { id: string }
    const events = await outbox(t, owner.tenantId, item.id)
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({
      type: 'catalog.item.created',
      entity: 'catalog.item',
      record_id: item.id,
      actor_user_id: owner.userId,
      actor_api_key_id: null,
      request_id: res.headers['x-request-id'],
      delivered_at: null,
      attempts: 0,
    })
    expect(events[0]?.payload.record).toMatchObject({ id: item.id, name: 'Widget', quantity: 5 })
    expect(events[0]?.payload.changed).toEqual(expect.arrayContaining(['name', 'kind', 'quantity']))
  })

  it('names updates, archives and workflow actions in the past tense, with the changed fields', async () => {
    const item = await create(t, owner.accessToken, 'catalog-items', { ...ITEM, name: 'Gadget' })
    const patched = await api(
      t,
      owner.accessToken,
      'PATCH',
      `/api/v1/catalog-items/${item.id}`,
      { quantity: 7 },
      {
        'if-match': '"1"',
      },
    )
    expect(patched.statusCode, patched.body).toBe(200)
    expect((await api(t, owner.accessToken, 'DELETE', `/api/v1/catalog-items/${item.id}`)).statusCode).toBe(
      204,
    )
    const events = await outbox(t, owner.tenantId, item.id)
    expect(events.map((e) => e.type)).toEqual([
      'catalog.item.created',
      'catalog.item.updated',
      'catalog.item.archived',
    ])
    expect(events[1]?.payload.changed).toEqual(['quantity'])
    expect(events[1]?.payload.record).toMatchObject({ quantity: 7 })
    expect(events[2]?.payload.changed).toEqual(['archived_at'])

    const order = await create(t, owner.accessToken, 'catalog-orders', {
      customer: 'Ada',
      ordered_on: '2026-03-01',
      lines: [{ item: item.id, quantity: '1' }],
    })
    const submit = await api(
      t,
      owner.accessToken,
      'POST',
      `/api/v1/catalog-orders/${order.id}/actions/submit`,
    )
    expect(submit.statusCode, submit.body).toBe(200)
    const cancel = await api(
      t,
      owner.accessToken,
      'POST',
      `/api/v1/catalog-orders/${order.id}/actions/cancel`,
    )
    expect(cancel.statusCode, cancel.body).toBe(200)
    expect((await outbox(t, owner.tenantId, order.id)).map((e) => e.type)).toEqual([
      'catalog.order.created',
      'catalog.order.submitted',
      'catalog.order.cancelled',
    ])
  })

  it('gets nothing from a write whose transaction rolls back, nor from a refused request', async () => {
    const before = (await outbox(t, owner.tenantId)).length
    const actor = await authenticateAccessToken(t.identity, owner.accessToken)
    class Rollback extends Error {}
    let written: string | undefined
    await expect(
      withTenant(t.database.db, owner.tenantId, async (trx) => {
        const model = await loadModel(trx, 'catalog.item')
        if (!model) throw new Error('no catalog.item')
        written = (await createRecord(entityContext(trx, actor), model, { ...ITEM, name: 'Ghost' }))
          .id as string
        // the event is there inside the transaction...
        const inside = await sql<{ n: number }>`select count(*)::int as n from event_outbox`.execute(trx)
        expect(inside.rows[0]?.n).toBe(before + 1)
        throw new Rollback()
      }),
    ).rejects.toBeInstanceOf(Rollback)
    expect(written).toBeDefined()
    // ...and gone with it
    expect(await outbox(t, owner.tenantId, written)).toEqual([])
    const refused = await api(t, owner.accessToken, 'POST', '/api/v1/catalog-items', {
      ...ITEM,
      quantity: -1,
    })
    expect(refused.statusCode).toBe(400)
    expect(await outbox(t, owner.tenantId)).toHaveLength(before)
  })
})

describe('event names', () => {
  it.each([
    ['create', 'created'],
    ['update', 'updated'],
    ['delete', 'deleted'],
    ['archive', 'archived'],
    ['submit', 'submitted'],
    ['cancel', 'cancelled'],
    ['amend', 'amended'],
    ['approve', 'approved'],
    ['confirm', 'confirmed'],
    ['reject', 'rejected'],
    ['apply', 'applied'],
  ])('%s → %s', (action, past) => {
    expect(pastTense(action)).toBe(past)
    expect(eventType('sales.order', action)).toBe(`sales.order.${past}`)
  })
})
