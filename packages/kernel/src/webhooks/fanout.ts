import type { Tx } from '../db/schema.ts'
import type { EventTarget } from '../events/dispatcher.ts'
import { matchesEvent } from '../events/names.ts'
import type { DomainEvent } from '../events/types.ts'
import { newId } from '../ids.ts'
import type { Jobs } from '../jobs/jobs.ts'
import { deliveryJobOptions, WEBHOOK_DELIVERY_JOB } from './deliver.ts'
import { webhooksTx } from './tables.ts'
import { visibleEventData } from './visibility.ts'

/** The body every attempt of a delivery sends, exactly (the signature covers it). */
export function webhookBody(event: DomainEvent, data: unknown): string {
  return JSON.stringify({
    id: event.id,
    type: event.type,
    tenant_id: event.tenantId,
    created_at: event.createdAt.toISOString(),
    data,
  })
}

/**
 * The dispatcher's webhook target: one delivery row and one job per active webhook whose event
 * types match, both in the tenant transaction. The delivery is unique per (webhook, event), so an
 * event dispatched again after a crash adds nothing.
 */
export function webhookTarget(jobs: Jobs): EventTarget {
  return {
    name: 'webhooks',
    async deliver(trx: Tx, event: DomainEvent) {
      const hooks = await webhooksTx(trx)
        .selectFrom('webhooks')
        .select(['id', 'events', 'created_by'])
        .where('active', '=', true)
        .orderBy('id')
        .execute()
      for (const hook of hooks.filter((h) => h.events.some((p) => matchesEvent(p, event.type)))) {
        const data = await visibleEventData(trx, hook.created_by, event)
        if (!data) continue
        const id = newId()
        const inserted = await webhooksTx(trx)
          .insertInto('webhook_deliveries')
          .values({
            tenant_id: event.tenantId,
            id,
            webhook_id: hook.id,
            event_id: event.id,
            event_type: event.type,
            body: webhookBody(event, data),
            next_attempt_at: new Date(),
          })
          .onConflict((oc) => oc.columns(['tenant_id', 'webhook_id', 'event_id']).doNothing())
          .returning('id')
          .executeTakeFirst()
        if (inserted) {
          await jobs.enqueue(
            WEBHOOK_DELIVERY_JOB,
            { deliveryId: id, attempt: 0 },
            { tenantId: event.tenantId, transaction: trx, ...deliveryJobOptions },
          )
        }
      }
    },
  }
}
