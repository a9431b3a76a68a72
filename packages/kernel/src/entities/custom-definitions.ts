import { sql } from 'kysely'
import type { Tx } from '../db/schema.ts'
import type { EntityDefinition, FieldDefinition, WorkflowDefinition } from './definition.ts'

/** A tenant-defined field as stored in `custom_fields`. */
export interface CustomFieldRow {
  id: string
  entity: string
  key: string
  type: FieldDefinition['type']
  label: string
  definition: Omit<FieldDefinition, 'type' | 'label'>
  position: number
  removed_at: Date | null
  version: number
}

/** A tenant-defined entity as stored in `custom_entities`. */
export interface CustomEntityRow {
  id: string
  key: string
  resource: string
  label: string
  plural_label: string
  description: string | null
  display_field: string | null
  company_scoped: boolean
  workflow: WorkflowDefinition | null
  layout: EntityDefinition['layout'] | null
  version: number
}

/**
 * Read once per transaction and entity: one request loads a model several times (the route, the
 * store, the field masks, the references), each from the same rows. A transaction that changes an
 * entity's fields forgets them (forgetCustomFields), so it reads its own change.
 */
const fieldRowsByTx = new WeakMap<Tx, Map<string, Promise<CustomFieldRow[]>>>()

/** The tenant's fields of an entity, removed ones included (the model keeps their names reserved). */
export function customFieldRows(trx: Tx, entity: string): Promise<CustomFieldRow[]> {
  const cached = fieldRowsByTx.get(trx) ?? new Map<string, Promise<CustomFieldRow[]>>()
  fieldRowsByTx.set(trx, cached)
  let rows = cached.get(entity)
  if (!rows) {
    rows = sql<CustomFieldRow>`
      select id, entity, key, type, label, definition, position, removed_at, version
      from custom_fields where entity = ${entity} order by position, key`
      .execute(trx)
      .then((result) => result.rows)
    // a failed read is not kept: the transaction is aborted anyway, but a caller may retry
    rows.catch(() => cached.delete(entity))
    cached.set(entity, rows)
  }
  return rows
}

/** After a write to custom_fields in `trx`: its next model load reads the rows again. */
export function forgetCustomFields(trx: Tx): void {
  fieldRowsByTx.delete(trx)
}

export async function customEntityRow(
  trx: Tx,
  by: { key: string } | { resource: string },
): Promise<CustomEntityRow | undefined> {
  const where = 'key' in by ? sql`key = ${by.key}` : sql`resource = ${by.resource}`
  const { rows } = await sql<CustomEntityRow>`
    select id, key, resource, label, plural_label, description, display_field, company_scoped,
      workflow, layout, version
    from custom_entities where ${where}`.execute(trx)
  return rows[0]
}

/** The field a custom field row describes. */
export function fieldOf(row: CustomFieldRow): FieldDefinition {
  return { ...row.definition, type: row.type, label: row.label }
}

/** A custom entity as a definition like any other; its fields come from its custom field rows. */
export function customEntityDefinition(
  row: CustomEntityRow,
  fields: readonly CustomFieldRow[],
): EntityDefinition {
  const live = fields.filter((f) => f.removed_at === null)
  return {
    key: row.key,
    label: row.label,
    pluralLabel: row.plural_label,
    table: 'records',
    resource: row.resource,
    fields: Object.fromEntries(live.map((f) => [f.key, fieldOf(f)])),
    ...(row.display_field ? { display: row.display_field } : {}),
    search: live.filter((f) => f.definition.searchable).map((f) => f.key),
    companyScoped: row.company_scoped,
    archivable: true,
    customizable: false,
    ...(row.workflow ? { workflow: row.workflow } : {}),
    ...(row.layout ? { layout: row.layout } : {}),
  }
}
