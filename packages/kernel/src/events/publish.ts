import type { EntityContext } from '../entities/context.ts'
import type { RecordChange } from '../entities/store/changes.ts'
import { newId } from '../ids.ts'
import { eventType } from './names.ts'
import { eventsTx } from './tables.ts'

/** Bookkeeping columns every update touches: not what a receiver means by "changed". */
const BOOKKEEPING = new Set(['updated_at', 'updated_by', 'version'])

/**
 * Writes the change's domain event to the outbox, in the transaction that made the change: the
 * event commits with it or not at all. Delivery happens later, from the outbox (dispatcher.ts).
 */
export async function publishChange(ctx: EntityContext, change: RecordChange): Promise<void> {
  const record = change.after ?? change.before ?? null
  await eventsTx(ctx.db)
    .insertInto('event_outbox')
    .values({
      tenant_id: ctx.actor.tenantId,
      id: newId(),
      type: eventType(change.model.key, change.action),
      entity: change.model.key,
      record_id: change.recordId,
      payload: JSON.stringify({ record, changed: changedFields(change) }),
      actor_user_id: ctx.actor.userId,
      actor_api_key_id: ctx.actor.apiKeyId,
      request_id: ctx.requestId ?? null,
    })
    .execute()
}

/** The fields whose value differs between before and after; a deletion changes none. */
export function changedFields({ before, after }: Pick<RecordChange, 'before' | 'after'>): string[] {
  if (!after) return []
  const names = new Set([...Object.keys(before ?? {}), ...Object.keys(after)])
  return [...names]
    .filter((name) => !BOOKKEEPING.has(name))
    .filter((name) => JSON.stringify(before?.[name] ?? null) !== JSON.stringify(after[name] ?? null))
    .sort()
}
