import { sql } from 'kysely'
import { Invalid } from '../../errors/errors.ts'
import type { EntityContext } from '../context.ts'
import type { EntityModel } from '../model.ts'
import { entityAccess } from './access.ts'
import { shape } from './read.ts'
import type { JsonRecord, Row } from './rows.ts'
import { insertRecord, patchRow } from './write.ts'

export const MAX_BULK = 500

/**
 * Bulk create and update: up to 500 rows in the caller's one transaction, all or nothing. An error
 * names the row, `records[3].email`, and nothing of the batch is written.
 */
export async function bulkCreate(
  ctx: EntityContext,
  model: EntityModel,
  records: unknown,
): Promise<JsonRecord[]> {
  const access = await entityAccess(ctx, model, 'create')
  const items = batch(records)
  const ids: string[] = []
  for (const [i, item] of items.entries())
    ids.push(await insertRecord(ctx, access, item, { prefix: `records[${i}].` }))
  return reread(ctx, model, ids)
}

export async function bulkUpdate(
  ctx: EntityContext,
  model: EntityModel,
  records: unknown,
): Promise<JsonRecord[]> {
  const access = await entityAccess(ctx, model, 'update')
  const items = batch(records)
  const ids: string[] = []
  for (const [i, item] of items.entries()) {
    const at = `records[${i}]`
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      throw Invalid.field(at, `${at} must be an object.`, 'type')
    const { id, version, ...fields } = item as JsonRecord
    if (typeof id !== 'string') throw Invalid.field(`${at}.id`, `${at}.id is required.`, 'required')
    if (version !== undefined && !Number.isInteger(version))
      throw Invalid.field(`${at}.version`, `${at}.version must be an integer.`, 'type')
    if (ids.includes(id)) throw Invalid.field(`${at}.id`, `${at}.id appears twice in the batch.`, 'duplicate')
    await patchRow(ctx, access, id, fields, version as number | undefined, `${at}.`)
    ids.push(id)
  }
  return reread(ctx, model, ids)
}

function batch(records: unknown): unknown[] {
  if (!Array.isArray(records)) throw Invalid.field('records', 'records must be an array.', 'type')
  if (records.length === 0 || records.length > MAX_BULK)
    throw Invalid.field('records', `records must hold 1 to ${MAX_BULK} rows.`, 'out_of_range')
  return records
}

/** The written rows as the member sees them, in the batch's order. */
async function reread(ctx: EntityContext, model: EntityModel, ids: readonly string[]): Promise<JsonRecord[]> {
  const access = await entityAccess(ctx, model, 'read')
  const { rows } = await sql<Row>`
    select t.* from ${sql.table(model.table)} as t
    where t.id in (${sql.join(ids.map((id) => sql`${id}::uuid`))}) and ${access.rows('t')}`.execute(ctx.db)
  const byId = new Map<string, Row>(rows.map((r) => [r.id as string, r]))
  return shape(
    ctx,
    access,
    ids.map((id) => byId.get(id)).filter((row): row is Row => row !== undefined),
  )
}
