import { sql } from 'kysely'
import { assertCan } from '../../access/can.ts'
import type { Tx } from '../../db/schema.ts'
import { BusinessRule, Conflict, Invalid, NotFound } from '../../errors/errors.ts'
import type { Actor } from '../../identity/authenticate.ts'
import { newId } from '../../ids.ts'
import { parse } from '../../schemas/validate.ts'
import { forgetCustomFields } from '../custom-definitions.ts'
import { RESOURCE_NAME } from '../define.ts'
import type { LayoutHints, WorkflowDefinition } from '../definition.ts'
import { loadModel } from '../model.ts'
import { codeEntity } from '../registry.ts'
import { checkDisplayField, checkLayout, checkWorkflow, type FieldTypes } from './entity-input.ts'
import { countRows, setInitialState, stateInUse, storeOf } from './field-data.ts'
import { insertField, META_PERMISSION } from './fields.ts'
import { defaultResource } from './naming.ts'
import { lockDefinition, type StoredEntity, storedEntity, storedFields } from './rows.ts'
import { CustomEntityInput, CustomEntityPatch, type LayoutInput, type LayoutPatch } from './schemas.ts'
import { type CustomEntityView, entityView } from './views.ts'

/**
 * Tenant-defined entities (a clinic's patients): a row of custom_entities, fields as custom_fields
 * rows and records in the shared `records` table, so creating one needs no DDL and no restart.
 * Their rights are `custom.<name>:<action>`, which roles may grant like any other.
 */

const json = (value: unknown) => (value == null ? null : JSON.stringify(value))

export async function getCustomEntity(trx: Tx, key: string): Promise<CustomEntityView> {
  const row = await requireCustomEntity(trx, key)
  return entityView(row, await storedFields(trx, key))
}

export async function createCustomEntity(trx: Tx, actor: Actor, input: unknown): Promise<CustomEntityView> {
  assertCan(actor, META_PERMISSION)
  const data = parse(CustomEntityInput, input)
  const key = `custom.${data.name}`
  const resource = data.resource ?? defaultResource(data.name)
  if (!RESOURCE_NAME.test(resource))
    throw Invalid.field(
      'resource',
      `resource: "${resource}" is too long; name the resource yourself.`,
      'pattern',
    )
  await lockDefinition(trx, key)
  if (await storedEntity(trx, { key })) {
    const message = `name: there is already an entity ${key}.`
    throw new Conflict(message, 'entity_exists', [{ field: 'name', code: 'taken', message }])
  }
  if (await storedEntity(trx, { resource })) {
    const message = `resource: another entity already answers at /custom/${resource}.`
    throw new Conflict(message, 'resource_taken', [{ field: 'resource', code: 'taken', message }])
  }
  const fields: FieldTypes = new Map((data.fields ?? []).map((f) => [f.key, f.type]))
  if (data.display_field !== undefined) checkDisplayField(data.display_field, fields)
  const workflow = data.workflow ? checkWorkflow(key, data.workflow) : null
  const layout = data.layout ? checkLayout(data.layout, fields, workflow !== null) : null
  await sql`
    insert into custom_entities (tenant_id, id, key, resource, label, plural_label, description, display_field,
      company_scoped, workflow, layout, created_by, updated_by)
    values (${actor.tenantId}, ${newId()}, ${key}, ${resource}, ${data.label.trim()}, ${data.plural_label.trim()},
      ${data.description ?? null}, ${data.display_field ?? null}, ${data.company_scoped ?? false},
      ${json(workflow)}::jsonb, ${json(layout)}::jsonb, ${actor.userId}, ${actor.userId})`.execute(trx)
  const model = await loadModel(trx, key)
  if (!model) throw new Error(`custom entity ${key} not readable after insert`)
  for (const [i, field] of (data.fields ?? []).entries())
    await insertField(trx, actor, model, field, `fields[${i}].`)
  return getCustomEntity(trx, key)
}

export async function updateCustomEntity(
  trx: Tx,
  actor: Actor,
  key: string,
  version: number,
  input: unknown,
): Promise<CustomEntityView> {
  assertCan(actor, META_PERMISSION)
  const data = parse(CustomEntityPatch, input)
  const row = await lockCustomEntity(trx, key)
  if (row.version !== version)
    throw new Conflict(`The entity was changed since version ${version}; read it again.`, 'version_conflict')
  const live = (await storedFields(trx, key)).filter((f) => f.removed_at === null)
  const fields: FieldTypes = new Map(live.map((f) => [f.key, f.type]))
  if (data.display_field) checkDisplayField(data.display_field, fields)
  let workflow: WorkflowDefinition | null = row.workflow
  if (data.workflow !== undefined) {
    workflow = data.workflow ? checkWorkflow(key, data.workflow) : null
    if (workflow) await applyWorkflow(trx, key, row.workflow, workflow)
  }
  const layout =
    data.layout === undefined
      ? row.layout
      : data.layout === null
        ? null
        : mergeLayout(row.layout, data.layout, checkLayout(given(data.layout), fields, workflow !== null))
  await sql`
    update custom_entities set
      label = ${data.label?.trim() ?? row.label},
      plural_label = ${data.plural_label?.trim() ?? row.plural_label},
      description = ${data.description === undefined ? row.description : data.description},
      display_field = ${data.display_field === undefined ? row.display_field : data.display_field},
      workflow = ${json(workflow)}::jsonb, layout = ${json(layout)}::jsonb,
      version = version + 1, updated_at = now(), updated_by = ${actor.userId}
    where id = ${row.id}`.execute(trx)
  return getCustomEntity(trx, key)
}

/** Records may not sit in a state the new workflow lacks; records without a state start in its initial one. */
async function applyWorkflow(
  trx: Tx,
  key: string,
  before: WorkflowDefinition | null,
  after: WorkflowDefinition,
): Promise<void> {
  const used = await stateInUse(
    trx,
    key,
    after.states.map((s) => s.key),
  )
  if (used !== undefined)
    throw BusinessRule.field(
      'workflow.states',
      `workflow.states: records are in the state "${used}"; move them before removing it.`,
      'state_in_use',
    )
  if (!before) await setInitialState(trx, key, after.initial)
}

/**
 * Deletes a custom entity that has never kept a record, and its field definitions. Archived
 * records count: they can be restored, and nothing erases them yet.
 */
export async function deleteCustomEntity(trx: Tx, actor: Actor, key: string): Promise<void> {
  assertCan(actor, META_PERMISSION)
  await lockCustomEntity(trx, key)
  const model = await loadModel(trx, key)
  if (model && (await countRows(trx, storeOf(model))) > 0)
    throw new Conflict(
      `${key} has records: it cannot be deleted while any exist, archived ones included (they keep their values to be restored).`,
      'records_exist',
    )
  const { rows } = await sql<{ entity: string; key: string }>`
    select entity, key from custom_fields where entity <> ${key} and definition ->> 'target' = ${key}
    order by entity, key limit 1`.execute(trx)
  const referrer = rows[0]
  if (referrer)
    throw new BusinessRule(
      'entity_referenced',
      `The field ${referrer.entity}.${referrer.key} refers to ${key}; remove and purge it first.`,
    )
  await sql`delete from custom_fields where entity = ${key}`.execute(trx)
  forgetCustomFields(trx)
  await sql`delete from unique_values where entity = ${key}`.execute(trx)
  await sql`delete from entity_links where entity = ${key}`.execute(trx)
  await sql`delete from custom_entities where key = ${key}`.execute(trx)
}

async function requireCustomEntity(trx: Tx, key: string, lock = false): Promise<StoredEntity> {
  if (codeEntity(key))
    throw BusinessRule.field(
      'entity',
      `${key} is defined by its module's code and cannot be changed here.`,
      'code_entity',
    )
  const row = await storedEntity(trx, { key }, lock)
  if (!row) throw NotFound.field('entity', `There is no entity "${key.slice(0, 110)}".`)
  return row
}

async function lockCustomEntity(trx: Tx, key: string): Promise<StoredEntity> {
  await lockDefinition(trx, key)
  return requireCustomEntity(trx, key, true)
}

/** The hints a layout patch sets (not those it clears), checked like a new layout's. */
function given(patch: LayoutPatch): LayoutInput {
  return Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== null)) as LayoutInput
}

/**
 * The stored layout with the patch applied (RFC 7396): a board field chosen in the web app must
 * not drop the sections or list columns set through the API. Only what the patch names is checked:
 * a stored hint stays as it was.
 */
function mergeLayout(
  stored: LayoutHints | null | undefined,
  patch: LayoutPatch,
  checked: LayoutHints,
): LayoutHints | null {
  const merged: Record<string, unknown> = { ...(stored ?? {}), ...checked }
  for (const [key, value] of Object.entries(patch)) if (value === null) delete merged[key]
  return Object.keys(merged).length > 0 ? (merged as LayoutHints) : null
}
