import { createDispatcher, createRegistry } from '@tessera/kernel'
import { installedModules } from '@tessera/server'
import { createTestApp, type TestApp } from '@tessera/testing'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { SignedUp } from '../../../../apps/server/test/auth/helpers.ts'
import {
  calls,
  catalogModule,
  create,
  flaky,
  forgetDelivery,
  marks,
  outbox,
  probeModule,
  tenantWith,
} from './helpers.ts'

let t: TestApp
let owner: SignedUp
let bystander: SignedUp
const modules = () => createRegistry([...installedModules, catalogModule, probeModule]).modules
/** A dispatcher as a freshly started worker has it: nothing in memory, only the outbox. */
const startDispatcher = () => createDispatcher({ db: t.database.db, modules: modules() })

beforeAll(async () => {
  t = await createTestApp({ modules: [catalogModule, probeModule] })
  owner = await tenantWith(t, ['catalog', 'probe'])
  // probe is not active here: its subscribers must not see this tenant's events
  bystander = await tenantWith(t, ['catalog'])
})
afterAll(async () => t?.close())
afterEach(() => {
  flaky.failing = false
})

const ITEM = { name: 'Widget', kind: 'good' }
const callsOf = (subscriber: string, eventId: string) =>
  calls.filter((c) => c.subscriber === subscriber && c.event.id === eventId).length

describe('the dispatcher', () => {
  it('delivers an event committed while no worker ran, once it starts; the subscriber’s effect happens once', async () => {
    const item = await create(t, owner.accessToken, 'catalog-items', ITEM)
    const [event] = await outbox(t, owner.tenantId, item.id)
    if (!event) throw new Error('no event')
    expect(event.delivered_at).toBeNull()

    expect(await startDispatcher().runOnce()).toBeGreaterThanOrEqual(1)
    expect((await outbox(t, owner.tenantId, item.id))[0]?.delivered_at).not.toBeNull()
    expect(callsOf('labeller', event.id)).toBe(1)
    expect(callsOf('flaky', event.id)).toBe(1)
    const seen = calls.find((c) => c.event.id === event.id)?.event
    expect(seen).toMatchObject({
      type: 'catalog.item.created',
      tenantId: owner.tenantId,
      entity: 'catalog.item',
      recordId: item.id,
      actor: { userId: owner.userId, apiKeyId: null },
    })
    expect(seen?.data.record).toMatchObject({ name: 'Widget' })
    expect(await marks(t, owner.tenantId, event.id)).toBe(1)
  })

  it('does not apply a subscriber again when the event comes twice (a crash before it was marked delivered)', async () => {
    const item = await create(t, owner.accessToken, 'catalog-items', { ...ITEM, name: 'Twice' })
    const [event] = await outbox(t, owner.tenantId, item.id)
    if (!event) throw new Error('no event')
    await startDispatcher().runOnce()
    expect(await marks(t, owner.tenantId, event.id)).toBe(1)

    await forgetDelivery(t, owner.tenantId, event.id)
    expect(await startDispatcher().runOnce()).toBeGreaterThanOrEqual(1)

    expect((await outbox(t, owner.tenantId, item.id))[0]?.delivered_at).not.toBeNull()
    expect(callsOf('labeller', event.id)).toBe(1)
    expect(callsOf('flaky', event.id)).toBe(1)
    expect(await marks(t, owner.tenantId, event.id)).toBe(1)
  })

  it('keeps an event whose subscriber fails, retries it later, and does not repeat the others', async () => {
    flaky.failing = true
    const item = await create(t, owner.accessToken, 'catalog-items', { ...ITEM, name: 'Flaky' })
    const [event] = await outbox(t, owner.tenantId, item.id)
    if (!event) throw new Error('no event')
    await startDispatcher().runOnce()
    const failed = (await outbox(t, owner.tenantId, item.id))[0]
    expect(failed).toMatchObject({ delivered_at: null, attempts: 1 })
    expect(failed?.last_error).toContain('probe.flaky: the flaky subscriber is down')
    expect(callsOf('labeller', event.id)).toBe(1)

    flaky.failing = false
    await forgetDelivery(t, owner.tenantId, event.id) // its back-off is over
    await startDispatcher().runOnce()
    expect((await outbox(t, owner.tenantId, item.id))[0]).toMatchObject({ attempts: 1, last_error: null })
    expect((await outbox(t, owner.tenantId, item.id))[0]?.delivered_at).not.toBeNull()
    expect(callsOf('flaky', event.id)).toBe(1)
    expect(callsOf('labeller', event.id)).toBe(1)
    expect(await marks(t, owner.tenantId, event.id)).toBe(1)
  })

  it('delivers to the subscribers of modules active in the event’s tenant only', async () => {
    const item = await create(t, bystander.accessToken, 'catalog-items', ITEM)
    const [event] = await outbox(t, bystander.tenantId, item.id)
    if (!event) throw new Error('no event')
    await startDispatcher().runOnce()
    expect((await outbox(t, bystander.tenantId, item.id))[0]?.delivered_at).not.toBeNull()
    expect(calls.filter((c) => c.event.id === event.id)).toEqual([])
  })

  it('runs as a loop that picks up new events until stopped', async () => {
    const dispatcher = startDispatcher()
    dispatcher.start(50)
    try {
      const item = await create(t, owner.accessToken, 'catalog-items', { ...ITEM, name: 'Looped' })
      const [event] = await outbox(t, owner.tenantId, item.id)
      if (!event) throw new Error('no event')
      await until(async () => (await outbox(t, owner.tenantId, item.id))[0]?.delivered_at != null)
      expect(callsOf('labeller', event.id)).toBe(1)
    } finally {
      await dispatcher.stop()
    }
  })

  it('refuses subscribers with a bad pattern or a name used twice', () => {
    const bad = (subscribers: { event: string; name: string }[]) => () =>
      createDispatcher({
        db: t.database.db,
        modules: [
          {
            name: 'bad',
            version: '1',
            subscribers: subscribers.map((s) => ({ ...s, handle: async () => {} })),
          },
        ],
      })
    expect(bad([{ event: 'Catalog.Item', name: 'x' }])).toThrow(/no event type or pattern/)
    expect(bad([{ event: 'catalog.*.created', name: 'x' }])).toThrow(/no event type or pattern/)
    expect(
      bad([
        { event: '*', name: 'x' },
        { event: '*', name: 'x' },
      ]),
    ).toThrow(/declared twice/)
  })
})

/** Waits for `condition`, failing after a generous deadline (a wait, not a timing assertion). */
async function until(condition: () => Promise<boolean>, deadlineMs = 30_000): Promise<void> {
  const end = Date.now() + deadlineMs
  while (!(await condition())) {
    if (Date.now() > end) throw new Error('gave up waiting')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
