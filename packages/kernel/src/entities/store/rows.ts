import Decimal from 'decimal.js'
import { maskRecord } from '../../access/rules/field-access.ts'
import { toJson } from '../field-types.ts'
import type { EntityModel, FieldModel } from '../model.ts'
import type { EntityAccess } from './access.ts'

export type Row = Record<string, unknown>
export type JsonRecord = Record<string, unknown>

const iso = (value: unknown) =>
  value instanceof Date ? value.toISOString() : value === null ? null : String(value)

/**
 * A stored row as the API shows it, before masking: snake_case fields, decimals as strings, ISO
 * 8601 times, money as {amount, currency}, many-to-many ids from `links`, custom fields under
 * `custom`, computed fields computed. Children are added by the caller when included.
 */
export function rowToRecord(
  model: EntityModel,
  row: Row,
  links?: ReadonlyMap<string, string[]>,
  units?: ReadonlyMap<string, number>,
): JsonRecord {
  const record: JsonRecord = { id: row.id }
  const data = (row.data ?? {}) as Row
  for (const field of Object.values(model.fields)) {
    const { storage } = field
    if (storage.kind === 'column') record[field.name] = columnValue(field, row, units)
    else if (storage.kind === 'json') record[field.name] = jsonValue(field, data[storage.key])
    else if (storage.kind === 'links') record[field.name] = links?.get(`${field.name}:${row.id}`) ?? []
  }
  if (!model.isCustomEntity && model.definition.customizable !== false) {
    const custom = (row.custom ?? {}) as Row
    record.custom = Object.fromEntries(
      Object.values(model.customFields).map((f) => [f.name, jsonValue(f, custom[f.name])]),
    )
  }
  const d = model.definition
  if (d.companyScoped) record.company_id = row.company_id ?? null
  if (model.workflow) record.state = row.state
  if (d.document) {
    record.number = row.number ?? null
    record.amended_from = row.amended_from ?? null
  }
  record.version = Number(row.version)
  record.created_at = iso(row.created_at)
  record.updated_at = iso(row.updated_at)
  record.created_by = row.created_by ?? null
  record.updated_by = row.updated_by ?? null
  if (d.archivable || model.isCustomEntity) record.archived_at = iso(row.archived_at ?? null)
  for (const field of Object.values(model.fields)) {
    if (field.storage.kind === 'computed') record[field.name] = computed(field, record)
  }
  return record
}

function columnValue(field: FieldModel, row: Row, units?: ReadonlyMap<string, number>): unknown {
  const storage = field.storage as { column: string; currencyColumn?: string }
  const value = row[storage.column]
  if (field.definition.type !== 'money') return toJson(field.definition, value)
  if (value === null || value === undefined) return null
  const currency = row[storage.currencyColumn as string] as string
  const amount = new Decimal(value as string)
  // an amount shows its currency's minor unit: 19.90 EUR, 1500 JPY, 1.250 KWD
  return { amount: amount.toFixed(Math.max(units?.get(currency) ?? 2, amount.decimalPlaces())), currency }
}

/** jsonb holds what the API accepted, already in its JSON form; absent reads as null. */
function jsonValue(field: FieldModel, value: unknown): unknown {
  if (value === undefined || value === null) return field.definition.type === 'multi_select' ? [] : null
  return value
}

function computed(field: FieldModel, record: JsonRecord): unknown {
  try {
    return toJson(
      { type: field.definition.returns ?? 'text' } as never,
      field.definition.compute?.(record) ?? null,
    )
  } catch {
    // a computation that fails on odd data must not make the record unreadable
    return null
  }
}

/** What leaves the server: the record without the fields the member may not see. */
export function present(access: EntityAccess, record: JsonRecord): JsonRecord {
  return maskRecord(record, access.fields) as JsonRecord
}

/** `fields=a,b`: only those (and `id`), after masking. */
export function pick(record: JsonRecord, fields: readonly string[] | undefined): JsonRecord {
  if (!fields) return record
  return Object.fromEntries(Object.entries(record).filter(([name]) => name === 'id' || fields.includes(name)))
}
