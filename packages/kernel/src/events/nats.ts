import { connect, type NatsError, nanos } from 'nats'
import { eventJson } from './json.ts'
import type { DomainEvent } from './types.ts'

/** The JetStream stream every Tessera event goes to. */
export const EVENT_STREAM = 'TESSERA_EVENTS'
/** How long JetStream remembers message ids: an event published again within it is dropped. */
const DUPLICATE_WINDOW_MS = 60 * 60 * 1000
const STREAM_NOT_FOUND = 10059

/** Where events cross processes. */
export interface EventBus {
  /** publishes the event; `duplicate` when the stream had it already (same event id) */
  publish(event: DomainEvent): Promise<{ duplicate: boolean }>
  close(): Promise<void>
}

/** `tessera.<tenant id>.<event type>`, e.g. `tessera.0190….partners.partner.created`. */
export function eventSubject(event: Pick<DomainEvent, 'tenantId' | 'type'>): string {
  return `tessera.${event.tenantId}.${event.type}`
}

/**
 * NATS JetStream (NATS_URL): each event is published with its id as the message id, so JetStream
 * drops a second copy (a redelivery after a crash) within the duplicate window.
 */
export async function connectEventBus(url: string): Promise<EventBus> {
  const nc = await connect({ servers: url, name: 'tessera' })
  try {
    const jsm = await nc.jetstreamManager()
    try {
      await jsm.streams.info(EVENT_STREAM)
    } catch (err) {
      if ((err as NatsError).api_error?.err_code !== STREAM_NOT_FOUND) throw err
      await jsm.streams.add({
        name: EVENT_STREAM,
        subjects: ['tessera.>'],
        duplicate_window: nanos(DUPLICATE_WINDOW_MS),
      })
    }
  } catch (err) {
    await nc.close()
    throw err
  }
  const js = nc.jetstream()
  const encoder = new TextEncoder()
  return {
    async publish(event) {
      const ack = await js.publish(eventSubject(event), encoder.encode(JSON.stringify(eventJson(event))), {
        msgID: event.id,
      })
      return { duplicate: ack.duplicate }
    },
    async close() {
      await nc.drain()
    },
  }
}
