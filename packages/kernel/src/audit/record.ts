import type { EntityContext } from '../entities/context.ts'
import type { RecordChange } from '../entities/store/changes.ts'
import { appendAudit } from './append.ts'
import { changedValues } from './diff.ts'

/**
 * Appends the change to the tenant's audit trail, in the transaction that made it: who (the
 * member, and the API key they used), the request, the entity, the record, the action and the
 * values it changed, unmasked (masks apply when someone reads the trail).
 */
export async function auditChange(ctx: EntityContext, change: RecordChange): Promise<void> {
  await appendAudit(ctx.db, {
    tenantId: ctx.actor.tenantId,
    userId: ctx.actor.userId,
    apiKeyId: ctx.actor.apiKeyId,
    requestId: ctx.requestId?.slice(0, 200) || null,
    entity: change.model.key,
    recordId: change.recordId,
    action: change.action,
    ...changedValues(change.before, change.after),
  })
}
