import { type DomainEvent, defineModule, newId, withTenant } from '@tessera/kernel'
import type { TestApp } from '@tessera/testing'
import { sql } from 'kysely'
import { catalogModule } from '../../../../apps/server/test/fixtures/modules/catalog.ts'

export { api, create, tenantWith } from '../../../../apps/server/test/entities/helpers.ts'
export { catalogModule }

export interface OutboxRow {
  id: string
  type: string
  entity: string
  record_id: string | null
  payload: { record: Record<string, unknown> | null; changed: string[] }
  actor_user_id: string | null
  actor_api_key_id: string | null
  request_id: string | null
  delivered_at: Date | null
  attempts: number
  last_error: string | null
}

/** The tenant's outbox, oldest first (optionally one record's events only). */
export function outbox(t: TestApp, tenantId: string, recordId?: string): Promise<OutboxRow[]> {
  return withTenant(t.database.db, tenantId, async (trx) => {
    const { rows } = await sql<OutboxRow>`select * from event_outbox
      where ${recordId ? sql`record_id = ${recordId}::uuid` : sql`true`} order by id`.execute(trx)
    return rows
  })
}

/** What the probe module's subscribers saw, in memory: one entry per call of the handler. */
export const calls: { subscriber: string; event: DomainEvent }[] = []

/** When set, the `flaky` subscriber throws (a subscriber failing until someone fixes something). */
export const flaky = { failing: false }

/**
 * A module whose subscribers leave a mark in the database (a catalog label named after the event)
 * in the receipt's transaction, so "once" is visible in the data, not only in memory.
 */
export const probeModule = defineModule({
  name: 'probe',
  version: '1.0.0',
  depends: [catalogModule],
  events: ['catalog.item.created'],
  subscribers: [
    {
      event: 'catalog.item.*',
      name: 'labeller',
      async handle(ctx, event) {
        calls.push({ subscriber: 'labeller', event })
        await sql`insert into catalog_labels (tenant_id, id, name)
          values (${ctx.tenantId}::uuid, ${newId()}::uuid, ${`seen ${event.id}`})`.execute(ctx.db)
      },
    },
    {
      event: 'catalog.item.created',
      name: 'flaky',
      async handle(_ctx, event) {
        if (flaky.failing) throw new Error('the flaky subscriber is down')
        calls.push({ subscriber: 'flaky', event })
      },
    },
  ],
})

/** How many labels the labeller left for `eventId` (the effect, as the database has it). */
export async function marks(t: TestApp, tenantId: string, eventId: string): Promise<number> {
  return withTenant(t.database.db, tenantId, async (trx) => {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from catalog_labels
      where name = ${`seen ${eventId}`}`.execute(trx)
    return rows[0]?.n ?? 0
  })
}

/** As if the process died after delivering and before marking the event delivered. */
export async function forgetDelivery(t: TestApp, tenantId: string, eventId: string): Promise<void> {
  await withTenant(t.database.db, tenantId, (trx) =>
    sql`update event_outbox set delivered_at = null, next_attempt_at = now() where id = ${eventId}::uuid`.execute(
      trx,
    ),
  )
}
