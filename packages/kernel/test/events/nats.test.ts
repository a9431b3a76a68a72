import { createConnection } from 'node:net'
import { connectEventBus, createDispatcher, EVENT_STREAM, type EventBus, eventSubject } from '@tessera/kernel'
import { createTestApp, type TestApp } from '@tessera/testing'
import { connect } from 'nats'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SignedUp } from '../../../../apps/server/test/auth/helpers.ts'
import { catalogModule, create, forgetDelivery, outbox, tenantWith } from './helpers.ts'

const NATS_URL = 'nats://127.0.0.1:4222'
const natsUp = await new Promise<boolean>((resolve) => {
  const socket = createConnection({ host: '127.0.0.1', port: 4222 })
  socket.once('connect', () => {
    socket.destroy()
    resolve(true)
  })
  socket.once('error', () => resolve(false))
})
const suite = natsUp ? describe : describe.skip

let t: TestApp
let owner: SignedUp
let bus: EventBus
suite(`NATS JetStream${natsUp ? '' : ' (skipped: no NATS server at 127.0.0.1:4222)'}`, () => {
  beforeAll(async () => {
    t = await createTestApp({ modules: [catalogModule] })
    owner = await tenantWith(t, ['catalog'])
    bus = await connectEventBus(NATS_URL)
  })
  afterAll(async () => {
    await bus?.close()
    await t?.close()
  })

  /** How many messages the stream holds on `subject`. */
  async function stored(subject: string): Promise<number> {
    const nc = await connect({ servers: NATS_URL })
    try {
      const info = await (await nc.jetstreamManager()).streams.info(EVENT_STREAM, {
        subjects_filter: subject,
      })
      return info.state.subjects?.[subject] ?? 0
    } finally {
      await nc.close()
    }
  }

  it('receives each event once, with the event id as message id, also when it is dispatched again', async () => {
    const item = await create(t, owner.accessToken, 'catalog-items', { name: 'Signal', kind: 'good' })
    const [row] = await outbox(t, owner.tenantId, item.id)
    if (!row) throw new Error('no event')
    const subject = eventSubject({ tenantId: owner.tenantId, type: 'catalog.item.created' })
    expect(subject).toBe(`tessera.${owner.tenantId}.catalog.item.created`)

    await createDispatcher({ db: t.database.db, modules: [catalogModule], bus }).runOnce()
    expect(await stored(subject)).toBe(1)

    // the process died before marking it delivered: a restarted dispatcher publishes it again
    await forgetDelivery(t, owner.tenantId, row.id)
    await createDispatcher({ db: t.database.db, modules: [catalogModule], bus }).runOnce()
    expect((await outbox(t, owner.tenantId, item.id))[0]?.delivered_at).not.toBeNull()
    expect(await stored(subject)).toBe(1)

    const nc = await connect({ servers: NATS_URL })
    try {
      const message = await (await nc.jetstreamManager()).streams.getMessage(EVENT_STREAM, {
        last_by_subj: subject,
      })
      expect(message.header.get('Nats-Msg-Id')).toBe(row.id)
      expect(message.json()).toMatchObject({
        id: row.id,
        type: 'catalog.item.created',
        tenant_id: owner.tenantId,
        record_id: item.id,
        data: { record: { name: 'Signal' } },
      })
    } finally {
      await nc.close()
    }
  })

  it('reports a second publication of the same event as a duplicate', async () => {
    const event = {
      id: crypto.randomUUID(),
      type: 'catalog.item.updated',
      tenantId: owner.tenantId,
      entity: 'catalog.item',
      recordId: null,
      data: { record: null, changed: [] },
      actor: { userId: null, apiKeyId: null },
      requestId: null,
      createdAt: new Date(),
    }
    expect(await bus.publish(event)).toEqual({ duplicate: false })
    expect(await bus.publish(event)).toEqual({ duplicate: true })
  })
})
