import { sql } from 'kysely'
import { assertCan } from '../../access/can.ts'
import type { Tx } from '../../db/schema.ts'
import { BusinessRule, Conflict, Invalid, NotFound } from '../../errors/errors.ts'
import type { Actor } from '../../identity/authenticate.ts'
import { newId } from '../../ids.ts'
import { parse } from '../../schemas/validate.ts'
import { forgetCustomFields } from '../custom-definitions.ts'
import type { FieldDefinition } from '../definition.ts'
import { type EntityModel, loadModel } from '../model.ts'
import {
  claimUniqueValues,
  countMissing,
  countRows,
  eraseValues,
  fillDefault,
  firstDuplicate,
  optionInUse,
  releaseUniqueValues,
  storeOf,
} from './field-data.ts'
import { checkDefinition, checkNewField, storedDefinition } from './field-input.ts'
import { lockDefinition, type StoredField, storedEntity, storedField, storedFields } from './rows.ts'
import { type CustomFieldInput, CustomFieldPatch, CustomFieldInput as FieldInputSchema } from './schemas.ts'
import { type CustomFieldView, fieldView } from './views.ts'

/**
 * Tenant-defined fields of an entity (code or custom), managed through the metadata API. There is
 * no cache: loadModel reads custom_fields on every request, so a change applies to the next one.
 * A removed field keeps its values in the rows (and its key) until it is purged.
 */

export const META_PERMISSION = 'kernel.meta:manage'

/** The entity whose fields are asked for: 404 naming `entity` when the tenant has none by that key. */
export async function requireModel(trx: Tx, key: string): Promise<EntityModel> {
  const model = await loadModel(trx, key)
  if (!model) throw NotFound.field('entity', `There is no entity "${key.slice(0, 110)}".`)
  return model
}

async function customizableModel(trx: Tx, key: string): Promise<EntityModel> {
  const model = await requireModel(trx, key)
  if (!model.isCustomEntity && model.definition.customizable === false)
    throw BusinessRule.field('entity', `${key} does not take custom fields.`, 'not_customizable')
  await lockDefinition(trx, key)
  return model
}

async function requireField(trx: Tx, entity: string, key: string): Promise<StoredField> {
  const row = await storedField(trx, entity, key, true)
  if (!row) throw NotFound.field('field', `${entity} has no custom field "${key}".`)
  return row
}

export async function listCustomFields(trx: Tx, entity: string): Promise<CustomFieldView[]> {
  await requireModel(trx, entity)
  return (await storedFields(trx, entity)).map(fieldView)
}

export async function addCustomField(
  trx: Tx,
  actor: Actor,
  entity: string,
  input: unknown,
): Promise<CustomFieldView> {
  assertCan(actor, META_PERMISSION)
  const data = parse(FieldInputSchema, input)
  const model = await customizableModel(trx, entity)
  return fieldView(await insertField(trx, actor, model, data))
}

/**
 * Adds a field to `model` after checking it against the definition and the rows already there.
 * `at` prefixes the names in errors (a custom entity's `fields[2].`).
 */
export async function insertField(
  trx: Tx,
  actor: Actor,
  model: EntityModel,
  input: CustomFieldInput,
  at = '',
): Promise<StoredField> {
  const stored = await storedFields(trx, model.key)
  const field = await checkNewField(trx, model, input, stored, at)
  const store = storeOf(model)
  if (field.required && (await countRows(trx, store)) > 0) {
    if (field.default === undefined)
      throw BusinessRule.field(
        `${at}required`,
        `${at}required: ${model.key} already has records; a new required field needs a default for them.`,
        'required_needs_default',
      )
    await fillDefault(trx, store, input.key, field.default)
  }
  if (field.unique) await claimUnique(trx, model, input.key, `${at}unique`)
  const position = input.position ?? Math.max(-1, ...stored.map((f) => f.position)) + 1
  await sql`
    insert into custom_fields (tenant_id, id, entity, key, type, label, definition, position, created_by, updated_by)
    values (${actor.tenantId}, ${newId()}, ${model.key}, ${input.key}, ${field.type}, ${field.label},
      ${JSON.stringify(storedDefinition(field))}::jsonb, ${position}, ${actor.userId}, ${actor.userId})`.execute(
    trx,
  )
  forgetCustomFields(trx)
  return (await storedField(trx, model.key, input.key)) as StoredField
}

/** Refuses a unique field whose rows already share a value; otherwise claims their values. */
async function claimUnique(trx: Tx, model: EntityModel, key: string, at: string): Promise<void> {
  const store = storeOf(model)
  const duplicate = await firstDuplicate(trx, store, key)
  if (duplicate !== undefined) {
    const message = `${at}: several records of ${model.key} have the value ${JSON.stringify(duplicate.slice(0, 100))} in "${key}".`
    throw new Conflict(message, 'duplicate_values', [{ field: at, code: 'duplicate_values', message }])
  }
  await claimUniqueValues(trx, store, key)
}

export async function updateCustomField(
  trx: Tx,
  actor: Actor,
  entity: string,
  key: string,
  version: number,
  input: unknown,
): Promise<CustomFieldView> {
  assertCan(actor, META_PERMISSION)
  const data = parse(CustomFieldPatch, input)
  const model = await customizableModel(trx, entity)
  const row = await requireField(trx, entity, key)
  for (const fixed of ['key', 'type'] as const) {
    if (data[fixed] !== undefined && data[fixed] !== row[fixed])
      throw Invalid.field(
        fixed,
        `${fixed}: the ${fixed} of a field never changes; add a new field instead.`,
        'immutable',
      )
  }
  if (row.removed_at !== null)
    throw BusinessRule.field('field', `The field "${key}" is removed; restore it first.`, 'field_removed')
  if (row.version !== version)
    throw new Conflict(`The field was changed since version ${version}; read it again.`, 'version_conflict')
  const before: FieldDefinition = { ...row.definition, type: row.type, label: row.label }
  const after: Record<string, unknown> = { ...before }
  for (const property of [
    'label',
    'description',
    'required',
    'searchable',
    'options',
    'min',
    'max',
  ] as const) {
    const value = data[property]
    if (value === undefined) continue
    if (value === null || value === false) delete after[property]
    else after[property] = property === 'label' ? (value as string).trim() : value
  }
  const field = after as unknown as FieldDefinition
  checkDefinition(field)
  const store = storeOf(model)
  const dropped = (before.options ?? []).filter((o) => !field.options?.includes(o))
  const used = await optionInUse(trx, store, key, dropped)
  if (used !== undefined)
    throw BusinessRule.field(
      'options',
      `options: records still hold the option ${JSON.stringify(used)}; change them before removing it.`,
      'option_in_use',
    )
  if (field.required && !before.required) {
    const missing = await countMissing(trx, store, key)
    if (missing > 0)
      throw BusinessRule.field(
        'required',
        `required: ${missing} record${missing > 1 ? 's have' : ' has'} no value for "${key}"; fill ${missing > 1 ? 'them' : 'it'} first.`,
        'values_missing',
      )
  }
  await sql`
    update custom_fields set label = ${field.label}, definition = ${JSON.stringify(storedDefinition(field))}::jsonb,
      position = ${data.position ?? row.position}, version = version + 1, updated_at = now(),
      updated_by = ${actor.userId}
    where id = ${row.id}`.execute(trx)
  forgetCustomFields(trx)
  return fieldView((await storedField(trx, entity, key)) as StoredField)
}

/** Hides the field; its values stay in the rows until it is purged, and come back on restore. */
export async function removeCustomField(
  trx: Tx,
  actor: Actor,
  entity: string,
  key: string,
): Promise<CustomFieldView> {
  assertCan(actor, META_PERMISSION)
  const model = await customizableModel(trx, entity)
  const row = await requireField(trx, entity, key)
  if (row.removed_at !== null)
    throw BusinessRule.field('field', `The field "${key}" is already removed.`, 'field_removed')
  if (model.isCustomEntity) {
    const owner = await storedEntity(trx, { key: entity })
    if (owner?.display_field === key)
      throw BusinessRule.field(
        'field',
        `"${key}" names the records of ${entity} (its display_field); choose another display field first.`,
        'display_field',
      )
  }
  await releaseUniqueValues(trx, entity, key)
  return setRemoved(trx, actor, row, true)
}

export async function restoreCustomField(
  trx: Tx,
  actor: Actor,
  entity: string,
  key: string,
): Promise<CustomFieldView> {
  assertCan(actor, META_PERMISSION)
  const model = await customizableModel(trx, entity)
  const row = await requireField(trx, entity, key)
  assertRemoved(row)
  // values written meanwhile were not checked against each other
  if (row.definition.unique) await claimUnique(trx, model, key, 'unique')
  return setRemoved(trx, actor, row, false)
}

/** Deletes a removed field and erases its values from every row, for good. */
export async function purgeCustomField(trx: Tx, actor: Actor, entity: string, key: string): Promise<void> {
  assertCan(actor, META_PERMISSION)
  const model = await customizableModel(trx, entity)
  const row = await requireField(trx, entity, key)
  assertRemoved(row)
  await eraseValues(trx, storeOf(model), key)
  await sql`delete from custom_fields where id = ${row.id}`.execute(trx)
  forgetCustomFields(trx)
}

function assertRemoved(row: StoredField): void {
  if (row.removed_at === null)
    throw BusinessRule.field(
      'field',
      `The field "${row.key}" is not removed; remove it first.`,
      'field_not_removed',
    )
}

async function setRemoved(
  trx: Tx,
  actor: Actor,
  row: StoredField,
  removed: boolean,
): Promise<CustomFieldView> {
  await sql`
    update custom_fields set removed_at = ${removed ? sql`now()` : sql`null`}, version = version + 1,
      updated_at = now(), updated_by = ${actor.userId}
    where id = ${row.id}`.execute(trx)
  forgetCustomFields(trx)
  return fieldView((await storedField(trx, row.entity, row.key)) as StoredField)
}
