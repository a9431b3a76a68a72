import { appendAudit } from '../audit/append.ts'
import type { AuditValues } from '../audit/chain.ts'
import { changedValues } from '../audit/diff.ts'
import type { EntityContext } from '../entities/context.ts'
import { eventType } from '../events/names.ts'
import { eventsTx } from '../events/tables.ts'
import { newId } from '../ids.ts'
import type { FileInfo } from './rows.ts'

/** The `entity` of a file's audit rows and events: `kernel.file.uploaded`, `.versioned`, `.archived`. */
export const FILE_ENTITY = 'kernel.file'

/** What happened to a file: a first upload, a new version, or its archiving (DELETE). */
export type FileAction = 'upload' | 'version' | 'archive'

/**
 * Records a file change like a record change (audit/record.ts, events/publish.ts), in the
 * transaction that made it: an audit row with the values that changed (name, version, size,
 * type, hash, archived_at) and an outbox event carrying the file as the API shows it.
 */
export async function recordFileChange(
  ctx: EntityContext,
  action: FileAction,
  before: FileInfo | undefined,
  after: FileInfo,
): Promise<void> {
  const requestId = ctx.requestId?.slice(0, 200) || null
  const values = changedValues(before && valuesOf(before), valuesOf(after))
  await appendAudit(ctx.db, {
    tenantId: ctx.actor.tenantId,
    userId: ctx.actor.userId,
    apiKeyId: ctx.actor.apiKeyId,
    requestId,
    entity: FILE_ENTITY,
    recordId: after.id,
    action,
    ...values,
  })
  const changed = before ? Object.keys(values.newValues ?? {}).sort() : []
  await eventsTx(ctx.db)
    .insertInto('event_outbox')
    .values({
      tenant_id: ctx.actor.tenantId,
      id: newId(),
      type: eventType(FILE_ENTITY, action),
      entity: FILE_ENTITY,
      record_id: after.id,
      payload: JSON.stringify({ record: after, changed }),
      actor_user_id: ctx.actor.userId,
      actor_api_key_id: ctx.actor.apiKeyId,
      request_id: requestId,
    })
    .execute()
}

const valuesOf = (file: FileInfo): AuditValues => ({ ...file })
