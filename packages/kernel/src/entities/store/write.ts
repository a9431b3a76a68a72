import { type RawBuilder, sql } from 'kysely'
import { BusinessRule, Conflict, NotFound, TesseraError } from '../../errors/errors.ts'
import { newId } from '../../ids.ts'
import type { EntityContext } from '../context.ts'
import type { EntityModel } from '../model.ts'
import { type EntityAccess, entityAccess } from './access.ts'
import { recordChange, storedRecord } from './changes.ts'
import { writeChildren } from './children.ts'
import { readInput, type WriteValues } from './input.ts'
import { dropLinks, writeLinks } from './links.ts'
import { findRow, getRecord } from './read.ts'
import { type JsonRecord, type Row, rowToRecord } from './rows.ts'
import { claimUniqueValues, releaseUniqueValues, uniqueColumnConflict } from './unique.ts'

/** POST /{resource}: validates, checks rights and references, writes the row with its lines and links. */
export async function createRecord(
  ctx: EntityContext,
  model: EntityModel,
  body: unknown,
): Promise<JsonRecord> {
  const access = await entityAccess(ctx, model, 'create')
  const id = await insertRecord(ctx, access, body)
  return getRecord(ctx, model, id)
}

/** Creates a row without the permission check (lines: their parent's right was checked). */
export async function insertRecord(
  ctx: EntityContext,
  access: EntityAccess,
  body: unknown,
  options: { prefix?: string; set?: Record<string, unknown>; preset?: string[] } = {},
): Promise<string> {
  const { model } = access
  const values = await readInput(ctx, access, body, 'create', options.prefix, options.preset)
  Object.assign(values.columns, options.set ?? {})
  const companyId = model.definition.companyScoped ? companyFor(ctx, values) : undefined
  await asLine(options.prefix, () =>
    model.definition.validate?.(ctx, { ...values.given, ...(options.set ?? {}) }, undefined),
  )
  const id = newId()
  const columns: Record<string, unknown> = {
    tenant_id: ctx.actor.tenantId,
    id,
    created_by: ctx.actor.userId,
    updated_by: ctx.actor.userId,
    ...(companyId !== undefined ? { company_id: companyId } : {}),
    ...(model.workflow ? { state: model.workflow.initial } : {}),
  }
  if (model.isCustomEntity) Object.assign(columns, { entity: model.key, data: JSON.stringify(values.data) })
  else {
    Object.assign(columns, values.columns)
    if (model.definition.customizable !== false) columns.custom = JSON.stringify(values.custom)
  }
  const names = Object.keys(columns)
  await guardUnique(model, () =>
    sql`insert into ${sql.table(model.table)} (${sql.join(names.map((n) => sql.id(n)))})
      values (${sql.join(names.map((n) => columns[n]))})`.execute(ctx.db),
  )
  await afterWrite(ctx, access, id, values, 'create', options.prefix)
  const after = await storedRecord(ctx, model, id)
  await recordChange(ctx, { model, action: 'create', recordId: id, before: undefined, after })
  return id
}

/**
 * PATCH /{resource}/{id}: only the fields sent change. With `version` (from If-Match) the write
 * happens only if nobody changed the record since it was read: 409 otherwise. A record in a
 * locked state (a submitted document) refuses every change: 422.
 */
export async function updateRecord(
  ctx: EntityContext,
  model: EntityModel,
  id: string,
  body: unknown,
  version?: number,
): Promise<JsonRecord> {
  const access = await entityAccess(ctx, model, 'update')
  await patchRow(ctx, access, id, body, version)
  return getRecord(ctx, model, id)
}

export async function patchRow(
  ctx: EntityContext,
  access: EntityAccess,
  id: string,
  body: unknown,
  version?: number,
  prefix?: string,
): Promise<void> {
  const { model } = access
  const row = await findRow(ctx, access, id, true)
  assertVersion(row, version)
  assertUnlocked(model, row)
  const values = await readInput(ctx, access, body, 'update', prefix)
  const previous = rowToRecord(model, row)
  const before = await storedRecord(ctx, model, id)
  await asLine(prefix, () => model.definition.validate?.(ctx, mergeRecord(previous, values.given), previous))
  const sets: RawBuilder<unknown>[] = [
    sql`version = version + 1`,
    sql`updated_at = now()`,
    sql`updated_by = ${ctx.actor.userId}::uuid`,
  ]
  if (model.isCustomEntity) {
    if (Object.keys(values.data).length > 0)
      sets.push(sql`data = data || ${JSON.stringify(values.data)}::jsonb`)
  } else {
    for (const [column, value] of Object.entries(values.columns)) sets.push(sql`${sql.id(column)} = ${value}`)
    if (Object.keys(values.custom).length > 0)
      sets.push(sql`custom = custom || ${JSON.stringify(values.custom)}::jsonb`)
  }
  await guardUnique(model, () =>
    sql`update ${sql.table(model.table)} set ${sql.join(sets)} where id = ${id}::uuid`.execute(ctx.db),
  )
  await afterWrite(ctx, access, id, values, 'update', prefix)
  const after = await storedRecord(ctx, model, id)
  await recordChange(ctx, { model, action: 'update', recordId: id, before, after })
}

/**
 * DELETE /{resource}/{id}: archives where the entity archives (the row stays, out of lists),
 * deletes otherwise. A row still referenced elsewhere cannot be deleted: 422 from the database.
 */
export async function deleteRecord(
  ctx: EntityContext,
  model: EntityModel,
  id: string,
  version?: number,
): Promise<void> {
  const access = await entityAccess(ctx, model, 'delete')
  const row = await findRow(ctx, access, id, true)
  assertVersion(row, version)
  assertUnlocked(model, row)
  if (model.definition.archivable || model.isCustomEntity) {
    if (row.archived_at) return
    const before = await storedRecord(ctx, model, id)
    await sql`update ${sql.table(model.table)} set archived_at = now(), version = version + 1,
      updated_at = now(), updated_by = ${ctx.actor.userId}::uuid where id = ${id}::uuid`.execute(ctx.db)
    const after = await storedRecord(ctx, model, id)
    await recordChange(ctx, { model, action: 'archive', recordId: id, before, after })
    return
  }
  await removeRow(ctx, model, id)
}

export async function removeRow(ctx: EntityContext, model: EntityModel, id: string): Promise<void> {
  const before = await storedRecord(ctx, model, id)
  await recordChange(ctx, { model, action: 'delete', recordId: id, before, after: undefined })
  await dropLinks(ctx, model, id)
  await releaseUniqueValues(ctx, model, id)
  await sql`delete from ${sql.table(model.table)} where id = ${id}::uuid`.execute(ctx.db)
}

async function afterWrite(
  ctx: EntityContext,
  access: EntityAccess,
  id: string,
  values: WriteValues,
  mode: 'create' | 'update',
  prefix = '',
): Promise<void> {
  const { model } = access
  await claimUniqueValues(ctx, model, id, values.data, false)
  await claimUniqueValues(ctx, model, id, values.custom, true)
  await writeLinks(ctx, model, id, values.links)
  for (const [name, lines] of values.children) {
    const field = model.fields[name]
    if (field) await writeChildren(ctx, field, id, lines, mode, `${prefix}${name}`, rowWriter)
  }
}

const rowWriter = { insert: insertRecord, patch: patchRow, remove: removeRow }

/**
 * A validate hook names the fields of its own entity (`country`); for a line it must name the line
 * in its document (`addresses[0].country`), which only the writer knows.
 */
async function asLine(prefix: string | undefined, validate: () => unknown): Promise<void> {
  try {
    await validate()
  } catch (err) {
    if (prefix && err instanceof TesseraError)
      for (const e of err.errors) {
        if (e.message.startsWith(e.field)) e.message = `${prefix}${e.message}`
        e.field = `${prefix}${e.field}`
      }
    throw err
  }
}

/** The record after a patch, as validate hooks see it: the stored record with the new values. */
function mergeRecord(previous: JsonRecord, given: JsonRecord): JsonRecord {
  const merged = { ...previous, ...given }
  if (given.custom) merged.custom = { ...(previous.custom as JsonRecord), ...(given.custom as JsonRecord) }
  return merged
}

function companyFor(ctx: EntityContext, values: WriteValues): string {
  const companyId = values.companyId ?? ctx.companyId
  if (companyId === null || !ctx.actor.companyIds.includes(companyId))
    throw NotFound.field('company_id', 'company_id: there is no company with this id you may work in.')
  return companyId
}

export function assertVersion(row: Row, version: number | undefined): void {
  if (version !== undefined && Number(row.version) !== version)
    throw new Conflict(
      `The record was changed by someone else (version ${row.version}, not ${version}). Reload it and try again.`,
      'version_conflict',
    )
}

export function assertUnlocked(model: EntityModel, row: Row): void {
  const state = model.workflow?.states.find((s) => s.key === row.state)
  if (state?.locked)
    throw BusinessRule.field(
      'state',
      `The record is ${row.state} and can no longer be changed.`,
      'record_locked',
    )
}

/** Maps a violated unique index of a code entity to a 409 naming the field. */
async function guardUnique<T>(model: EntityModel, write: () => Promise<T>): Promise<T> {
  try {
    return await write()
  } catch (err) {
    throw uniqueColumnConflict(model, err) ?? err
  }
}
