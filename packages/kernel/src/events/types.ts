import type { Tx } from '../db/schema.ts'

/**
 * A domain event as subscribers, NATS and webhooks receive it: `<entity key>.<past tense>`
 * (`partners.partner.created`, `catalog.order.submitted`), written to the outbox in the
 * transaction of the change it reports.
 */
export interface DomainEvent {
  /** UUIDv7: the event's identity everywhere (receipts, NATS message id, webhook header) */
  id: string
  type: string
  tenantId: string
  /** the entity key, e.g. `partners.partner` */
  entity: string
  recordId: string | null
  /** the record after the change (before it, for a deletion), unmasked, and the fields that changed */
  data: EventData
  actor: { userId: string | null; apiKeyId: string | null }
  requestId: string | null
  createdAt: Date
}

export interface EventData {
  record: Record<string, unknown> | null
  changed: string[]
}

/** What a subscriber's handler receives besides the event. */
export interface SubscriberContext {
  tenantId: string
  /**
   * The tenant transaction the subscriber's receipt is written in: an effect made through it
   * commits with the receipt or not at all, which is what makes it happen once. Use nothing else
   * (the embedded database has one connection, which this transaction holds).
   */
  db: Tx
}

/**
 * An in-process subscriber a module declares in its manifest (`subscribers`). `event` is a type or
 * a pattern ending in `*` (`partners.partner.*`, `*`). Each event reaches it at least once while
 * the module is active in the event's tenant; its receipts make the effect happen once.
 */
export interface EventSubscriber {
  event: string
  /** unique within the module: receipts are kept under `<module>.<name>` */
  name: string
  handle(ctx: SubscriberContext, event: DomainEvent): Promise<void>
}
