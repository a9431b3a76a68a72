import { sql } from 'kysely'
import { auditChange } from '../../audit/record.ts'
import { publishChange } from '../../events/publish.ts'
import type { EntityContext } from '../context.ts'
import type { EntityModel } from '../model.ts'
import { type JsonRecord, type Row, rowToRecord } from './rows.ts'

/**
 * One change to one record, as the audit trail and the event outbox receive it, inside the
 * transaction that made it. `before` and `after` are the whole record unmasked (masks apply when
 * a member reads the trail); `action` is create, update, delete, archive or a workflow action.
 */
export interface RecordChange {
  model: EntityModel
  action: string
  recordId: string
  before: JsonRecord | undefined
  after: JsonRecord | undefined
}

/** Records the change in the audit trail and the outbox: both commit or roll back with it. */
export async function recordChange(ctx: EntityContext, change: RecordChange): Promise<void> {
  await auditChange(ctx, change)
  await publishChange(ctx, change)
}

/** The stored record as it is now in this transaction, unmasked, links included. */
export async function storedRecord(
  ctx: EntityContext,
  model: EntityModel,
  id: string,
): Promise<JsonRecord | undefined> {
  const { rows } = await sql<Row>`select * from ${sql.table(model.table)} where id = ${id}::uuid`.execute(
    ctx.db,
  )
  const row = rows[0]
  if (!row) return undefined
  const links = new Map<string, string[]>()
  if (Object.values(model.fields).some((f) => f.storage.kind === 'links')) {
    const { rows: linked } = await sql<{ field: string; target_id: string }>`
      select field, target_id from entity_links where entity = ${model.key} and record_id = ${id}::uuid
      order by position, target_id`.execute(ctx.db)
    for (const l of linked)
      links.set(`${l.field}:${id}`, [...(links.get(`${l.field}:${id}`) ?? []), l.target_id])
  }
  return rowToRecord(model, row, links)
}
