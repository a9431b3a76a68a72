import { sql } from 'kysely'
import { assertCan } from '../../access/can.ts'
import { BusinessRule, NotFound } from '../../errors/errors.ts'
import { nextNumber } from '../../numbering/next-number.ts'
import type { EntityContext } from '../context.ts'
import type { TransitionDefinition } from '../definition.ts'
import type { EntityModel } from '../model.ts'
import { AMEND_ACTION } from '../workflow/document.ts'
import { loadAccess, permissionOf } from './access.ts'
import { recordChange, storedRecord } from './changes.ts'
import { findRow, getRecord } from './read.ts'
import { type JsonRecord, rowToRecord } from './rows.ts'
import { assertVersion, createRecord } from './write.ts'

/**
 * POST /{resource}/{id}/actions/{action}: a workflow transition. The member needs the action's
 * right; the record must be in one of its `from` states (422 naming the current state); the guard
 * may refuse (422 with its reason). The state changes, a document being submitted takes its number
 * from its gapless sequence, and the effect runs — all in the request's transaction.
 */
export async function runAction(
  ctx: EntityContext,
  model: EntityModel,
  id: string,
  action: string,
  version?: number,
): Promise<{ record: JsonRecord; created: boolean }> {
  // a member who may not even read the entity learns nothing about its actions
  assertCan(ctx.actor, permissionOf(model, 'read'))
  if (action === AMEND_ACTION && model.definition.document)
    return { record: await amend(ctx, model, id), created: true }
  const transition = model.workflow?.transitions.find((t) => t.name === action)
  if (!transition)
    throw new NotFound(
      `${model.label} has no action ${JSON.stringify(action.slice(0, 60))}.`,
      'unknown_action',
    )
  assertCan(ctx.actor, transition.permission ?? permissionOf(model, action))
  const access = await loadAccess(ctx, model)
  const row = await findRow(ctx, access, id, true)
  assertVersion(row, version)
  const state = String(row.state)
  if (!transition.from.includes(state))
    throw BusinessRule.field(
      'state',
      `${transition.label ?? action} is not possible while the record is ${state} (only from ${transition.from.join(', ')}).`,
      'illegal_transition',
    )
  const before = rowToRecord(model, row)
  const refusal = await transition.guard?.(ctx, before)
  if (refusal) throw new BusinessRule('guard_refused', refusal)
  const number = await numberFor(ctx, model, transition, row)
  await sql`update ${sql.table(model.table)} set state = ${transition.to}, version = version + 1,
    updated_at = now(), updated_by = ${ctx.actor.userId}::uuid
    ${number !== undefined ? sql`, number = ${number}` : sql``}
    where id = ${id}::uuid`.execute(ctx.db)
  const after = (await storedRecord(ctx, model, id)) as JsonRecord
  await transition.effect?.(ctx, after)
  await recordChange(ctx, { model, action, recordId: id, before, after: await storedRecord(ctx, model, id) })
  return { record: await getRecord(ctx, model, id), created: false }
}

/** A document gets its number when it is first submitted, from the sequence of its company and year. */
async function numberFor(
  ctx: EntityContext,
  model: EntityModel,
  transition: TransitionDefinition,
  row: Record<string, unknown>,
): Promise<string | undefined> {
  const document = model.definition.document
  if (!document || transition.to !== 'submitted' || row.number) return undefined
  const dated = document.dateField ? rowToRecord(model, row)[document.dateField] : undefined
  return nextNumber(ctx.db, {
    companyId: (row.company_id as string | null | undefined) ?? null,
    documentType: model.key,
    pattern: document.numbering,
    date: typeof dated === 'string' || dated instanceof Date ? dated : new Date(),
  })
}

/**
 * `amend`: a cancelled document's correction. A new draft with the same content, pointing back at
 * the cancelled one; the cancelled document itself stays as it was.
 */
async function amend(ctx: EntityContext, model: EntityModel, id: string): Promise<JsonRecord> {
  const access = await loadAccess(ctx, model)
  const row = await findRow(ctx, access, id)
  if (row.state !== 'cancelled')
    throw BusinessRule.field(
      'state',
      `Only a cancelled document can be amended; this one is ${row.state}.`,
      'illegal_transition',
    )
  const source = await getRecord(ctx, model, id, {
    include: Object.values(model.fields)
      .filter((f) => f.definition.type === 'children')
      .map((f) => f.name)
      .join(','),
  })
  const body: JsonRecord = {}
  for (const field of Object.values(model.fields)) {
    if (field.definition.readOnly || field.storage.kind === 'computed' || !(field.name in source)) continue
    const value = source[field.name]
    body[field.name] =
      field.definition.type === 'children'
        ? (value as JsonRecord[]).map(lineInput(field.definition.inverse))
        : value
  }
  if (source.custom) body.custom = source.custom
  if (model.definition.companyScoped) body.company_id = source.company_id
  const created = await createRecord(ctx, model, body)
  await sql`update ${sql.table(model.table)} set amended_from = ${id}::uuid where id = ${created.id as string}::uuid`.execute(
    ctx.db,
  )
  return getRecord(ctx, model, created.id as string)
}

const STANDARD = new Set([
  'id',
  'version',
  'created_at',
  'updated_at',
  'created_by',
  'updated_by',
  'archived_at',
  'custom',
])

/** A stored line as a new line's input: no id, no standard columns, no reference to the old document. */
function lineInput(inverse: string | undefined) {
  return (line: JsonRecord): JsonRecord =>
    Object.fromEntries(Object.entries(line).filter(([name]) => name !== inverse && !STANDARD.has(name)))
}
