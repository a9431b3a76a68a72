import { companyEntity } from '../access/rules/kernel-entities.ts'
import type { Tx } from '../db/schema.ts'
import type { ColumnFieldMetadata, CustomFieldMetadata, EntityMetadata } from '../filters/metadata.ts'
import {
  type CustomFieldRow,
  customEntityDefinition,
  customEntityRow,
  customFieldRows,
  fieldOf,
} from './custom-definitions.ts'
import type { EntityDefinition, FieldDefinition, WorkflowDefinition } from './definition.ts'
import { filterTypeOf } from './field-types.ts'
import { codeEntity, codeEntityByResource } from './registry.ts'

/** Where a field's value lives. */
export type FieldStorage =
  /** a typed column; money also has `<column>_currency` */
  | { kind: 'column'; column: string; currencyColumn?: string }
  /** a key of a jsonb column: `custom` (custom fields of code entities) or `data` (custom entities) */
  | { kind: 'json'; column: 'custom' | 'data'; key: string }
  /** many-to-many: rows of `entity_links` */
  | { kind: 'links' }
  /** one-to-many: rows of the child entity whose `inverse` reference points here */
  | { kind: 'children' }
  | { kind: 'computed' }

export interface FieldModel {
  name: string
  definition: FieldDefinition
  storage: FieldStorage
  /** a tenant-defined field of a code entity: under `custom` in JSON, `custom.<name>` in filters */
  custom: boolean
}

/**
 * An entity as one tenant sees it right now: its definition (code or data) with the tenant's custom
 * fields. Everything generic — validation, SQL, REST, OpenAPI, the web app's metadata — reads it.
 */
export interface EntityModel {
  key: string
  definition: EntityDefinition
  /** a tenant-defined entity, its rows in `records` */
  isCustomEntity: boolean
  table: string
  resource: string
  label: string
  pluralLabel: string
  /** the entity's own fields, top level in JSON */
  fields: Readonly<Record<string, FieldModel>>
  /** the tenant's custom fields of a code entity, under `custom` in JSON */
  customFields: Readonly<Record<string, FieldModel>>
  /** custom field names removed but not purged: their data stays, the names stay taken */
  removedCustomFields: readonly string[]
  workflow: WorkflowDefinition | undefined
  /** the field naming a record */
  display: string | undefined
  /** what the filter language and access control see */
  filter: EntityMetadata
}

/** The entity with this key in the transaction's tenant, or undefined. */
export async function loadModel(trx: Tx, key: string, depth = 1): Promise<EntityModel | undefined> {
  const code = codeEntity(key)
  if (code) return buildModel(trx, code, false, await customFieldRows(trx, key), depth)
  if (!key.startsWith('custom.')) return undefined
  const row = await customEntityRow(trx, { key })
  if (!row) return undefined
  const fields = await customFieldRows(trx, key)
  return buildModel(trx, customEntityDefinition(row, fields), true, fields, depth)
}

/** The entity behind a REST resource: a code entity's, or (custom) a tenant-defined one's. */
export async function loadModelByResource(
  trx: Tx,
  resource: string,
  custom: boolean,
): Promise<EntityModel | undefined> {
  if (!custom) {
    const code = codeEntityByResource(resource)
    return code && !code.childOf ? loadModel(trx, code.key) : undefined
  }
  const row = await customEntityRow(trx, { resource })
  return row ? loadModel(trx, row.key) : undefined
}

async function buildModel(
  trx: Tx,
  definition: EntityDefinition,
  isCustomEntity: boolean,
  customRows: readonly CustomFieldRow[],
  depth: number,
): Promise<EntityModel> {
  const fields: Record<string, FieldModel> = {}
  for (const [name, field] of Object.entries(definition.fields)) {
    fields[name] = { name, definition: field, storage: storageOf(name, field, isCustomEntity), custom: false }
  }
  const customFields: Record<string, FieldModel> = {}
  const removed: string[] = []
  if (!isCustomEntity && definition.customizable !== false) {
    for (const row of customRows) {
      if (row.removed_at !== null) removed.push(row.key)
      else
        customFields[row.key] = {
          name: row.key,
          definition: fieldOf(row),
          storage: jsonStorage(row.key, fieldOf(row), 'custom'),
          custom: true,
        }
    }
  } else if (isCustomEntity) {
    removed.push(...customRows.filter((r) => r.removed_at !== null).map((r) => r.key))
  }
  const partial = {
    key: definition.key,
    definition,
    isCustomEntity,
    table: isCustomEntity ? 'records' : definition.table,
    resource: definition.resource,
    label: definition.label,
    pluralLabel: definition.pluralLabel ?? `${definition.label}s`,
    fields,
    customFields,
    removedCustomFields: removed,
    workflow: definition.workflow,
    display: definition.display ?? Object.values(fields).find((f) => f.definition.type === 'text')?.name,
  }
  const targets = new Map<string, EntityMetadata>()
  if (depth > 0) {
    const keys = new Set(
      [...Object.values(fields), ...Object.values(customFields)]
        .filter((f) => f.definition.type === 'reference')
        .map((f) => f.definition.target as string),
    )
    for (const target of keys) {
      const model = target === definition.key ? undefined : await loadModel(trx, target, depth - 1)
      if (model) targets.set(target, model.filter)
    }
  }
  const model: EntityModel = { ...partial, filter: undefined as unknown as EntityMetadata }
  model.filter = filterMetadata(model, (key) => (key === definition.key ? model.filter : targets.get(key)))
  return model
}

function storageOf(name: string, field: FieldDefinition, isCustomEntity: boolean): FieldStorage {
  if (field.type === 'many_to_many') return { kind: 'links' }
  if (field.type === 'children') return { kind: 'children' }
  if (field.type === 'computed') return { kind: 'computed' }
  if (isCustomEntity) return jsonStorage(name, field, 'data')
  const column = field.column ?? (field.type === 'reference' || field.type === 'user' ? `${name}_id` : name)
  return field.type === 'money'
    ? { kind: 'column', column, currencyColumn: `${column}_currency` }
    : { kind: 'column', column }
}

function jsonStorage(key: string, _field: FieldDefinition, column: 'custom' | 'data'): FieldStorage {
  return { kind: 'json', column, key }
}

/** The standard columns as filterable fields. */
function systemFilterFields(model: Omit<EntityModel, 'filter'>): Record<string, ColumnFieldMetadata> {
  const col = (
    column: string,
    type: ColumnFieldMetadata['type'],
    extra: Partial<ColumnFieldMetadata> = {},
  ) => ({
    column,
    type,
    ...extra,
  })
  const d = model.definition
  return {
    id: col('id', 'uuid'),
    created_at: col('created_at', 'datetime'),
    updated_at: col('updated_at', 'datetime'),
    created_by: col('created_by', 'uuid'),
    updated_by: col('updated_by', 'uuid'),
    version: col('version', 'integer'),
    ...(d.archivable || model.isCustomEntity ? { archived_at: col('archived_at', 'datetime') } : {}),
    ...(d.companyScoped ? { company_id: col('company_id', 'reference', { target: companyEntity }) } : {}),
    ...(model.workflow
      ? { state: col('state', 'select', { options: model.workflow.states.map((s) => s.key) }) }
      : {}),
    ...(d.document ? { number: col('number', 'text'), amended_from: col('amended_from', 'uuid') } : {}),
  }
}

function filterMetadata(
  model: Omit<EntityModel, 'filter'>,
  targetOf: (key: string) => EntityMetadata | undefined,
): EntityMetadata {
  const fields: Record<string, ColumnFieldMetadata> = systemFilterFields(model)
  for (const field of Object.values(model.fields)) {
    const meta = fieldFilterMetadata(field, targetOf)
    if (!meta) continue
    if (field.storage.kind === 'column') {
      fields[field.name] = { ...meta, column: field.storage.column }
      if (field.storage.currencyColumn)
        fields[`${field.name}_currency`] = { type: 'text', column: field.storage.currencyColumn }
    } else if (field.storage.kind === 'json') {
      fields[field.name] = { ...meta, column: 'data', path: jsonPathOf(field) }
    }
  }
  for (const field of Object.values(model.fields)) {
    if (field.storage.kind === 'links')
      fields[field.name] = { type: 'links', column: 'id', links: { entity: model.key, field: field.name } }
  }
  const customFields: Record<string, CustomFieldMetadata> = {}
  for (const field of Object.values(model.customFields)) {
    const meta = fieldFilterMetadata(field, targetOf)
    if (meta) customFields[field.name] = { ...meta, path: jsonPathOf(field) }
  }
  return {
    name: model.key,
    ...(model.definition.childOf ? { rightsOf: model.definition.childOf } : {}),
    table: model.table,
    tenantColumn: 'tenant_id',
    fields,
    ...(model.isCustomEntity ? {} : { customFields, customColumn: 'custom' }),
  }
}

/** A money value in jsonb is `{amount, currency}`: filters compare its amount. */
function jsonPathOf(field: FieldModel): string[] {
  return field.definition.type === 'money' ? [field.name, 'amount'] : [field.name]
}

function fieldFilterMetadata(
  field: FieldModel,
  targetOf: (key: string) => EntityMetadata | undefined,
): Omit<ColumnFieldMetadata, 'column'> | undefined {
  const type = filterTypeOf(field.definition)
  if (!type) return undefined
  const d = field.definition
  return {
    type,
    ...(d.options ? { options: d.options } : {}),
    ...(type === 'reference'
      ? { target: () => targetOf(d.target as string) ?? unreachable(d.target as string) }
      : {}),
  }
}

/**
 * A reference whose target is not loaded (a module that is not installed, a deleted custom entity):
 * filtering through it names no table, so it reads as an empty entity and matches nothing.
 */
function unreachable(key: string): EntityMetadata {
  return { name: key, table: 'records', tenantColumn: 'tenant_id', fields: {} }
}
