import type { FieldModel } from '../entities/model.ts'
import type { EntityAccess } from '../entities/store/access.ts'
import type { JsonRecord } from '../entities/store/rows.ts'
import { Invalid } from '../errors/errors.ts'
import { type Cell, numberCell, textCell } from './cells.ts'

/** One column of an export: its header (the field's API name) and how a record fills it. */
export interface ExportColumn {
  header: string
  cell(record: JsonRecord): Cell
}

/** System fields exported by default, in this order, when the entity has them. */
const DEFAULT_SYSTEM = ['company_id', 'state', 'number', 'created_at', 'updated_at']
/** System fields exported only when asked for with `fields=`. */
const OTHER_SYSTEM = ['created_by', 'updated_by', 'version', 'archived_at', 'amended_from']

/**
 * The columns of an export: `fields=` (API names, `custom.<key>` for custom fields), or every
 * field the member can see that fits in a cell. Lines (children) never do. A money field is two
 * columns, `<name>` (the amount) and `<name>_currency`, so a spreadsheet can add amounts up.
 */
export function exportColumns(access: EntityAccess, fields: string | undefined): ExportColumn[] {
  const { model } = access
  const visible = (name: string) => !access.fields.hidden.has(name)
  const system = (name: string) => Object.hasOwn(access.visible.fields, name) && !model.fields[name]
  const all = new Map<string, () => ExportColumn[]>()
  all.set('id', () => [textColumn('id', (r) => r.id)])
  for (const field of Object.values(model.fields))
    if (field.definition.type !== 'children') all.set(field.name, () => columnsOf(field, field.name))
  for (const field of Object.values(model.customFields))
    all.set(`custom.${field.name}`, () => columnsOf(field, `custom.${field.name}`))
  for (const name of [...DEFAULT_SYSTEM, ...OTHER_SYSTEM])
    if (system(name)) all.set(name, () => [systemColumn(name)])
  const names =
    fields === undefined || fields === ''
      ? [...all.keys()].filter((n) => !OTHER_SYSTEM.includes(n) && visible(n))
      : requested(fields, (n) => all.has(n) && visible(n))
  return names.flatMap((name) => (all.get(name) as () => ExportColumn[])())
}

function requested(text: string, known: (name: string) => boolean): string[] {
  const names = text.split(',').map((n) => n.trim())
  const bad = names.find((n) => !known(n))
  if (bad !== undefined || names.length > 200)
    throw Invalid.field(
      'fields',
      `fields: ${JSON.stringify((bad ?? '').slice(0, 100))} is not a field of this entity you can export.`,
      'unknown_field',
    )
  return [...new Set(names)]
}

const fieldValue = (record: JsonRecord, name: string): unknown => {
  if (!name.startsWith('custom.')) return record[name]
  const custom = record.custom as JsonRecord | undefined
  return custom?.[name.slice('custom.'.length)]
}

function textColumn(header: string, read: (record: JsonRecord) => unknown): ExportColumn {
  return {
    header,
    cell: (record) => {
      const value = read(record)
      return value === null || value === undefined ? null : textCell(String(value))
    },
  }
}

function systemColumn(name: string): ExportColumn {
  if (name === 'version')
    return {
      header: name,
      cell: (r) => (typeof r.version === 'number' ? numberCell(String(r.version)) : null),
    }
  return textColumn(name, (r) => r[name])
}

function columnsOf(field: FieldModel, name: string): ExportColumn[] {
  const type =
    field.definition.type === 'computed' ? (field.definition.returns ?? 'text') : field.definition.type
  const read = (record: JsonRecord) => fieldValue(record, name)
  const cell = (header: string, make: (value: unknown) => Cell): ExportColumn => ({
    header,
    cell: (record) => {
      const value = read(record)
      return value === null || value === undefined ? null : make(value)
    },
  })
  switch (type) {
    case 'integer':
    case 'decimal':
      return [cell(name, (v) => numberCell(String(v)))]
    case 'money':
      return [
        cell(name, (v) => numberCell(String((v as { amount?: unknown }).amount ?? ''))),
        cell(`${name}_currency`, (v) => textCell(String((v as { currency?: unknown }).currency ?? ''))),
      ]
    case 'boolean':
      return [
        cell(name, (v) => (typeof v === 'boolean' ? { kind: 'boolean', value: v } : textCell(String(v)))),
      ]
    case 'multi_select':
    case 'many_to_many':
      return [cell(name, (v) => textCell(Array.isArray(v) ? v.join(';') : String(v)))]
    case 'json':
      return [cell(name, (v) => textCell(JSON.stringify(v)))]
    default:
      return [cell(name, (v) => textCell(typeof v === 'string' ? v : JSON.stringify(v)))]
  }
}
