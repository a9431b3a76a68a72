import type { EntityMeta, EntityRecord, FieldMeta } from '../api/types.ts'

/**
 * Between records as the API shapes them and the flat values of forms and lists: custom fields
 * of code entities live under `custom` in records and are named `custom.<key>` in metadata.
 */

export const customKey = (name: string) => (name.startsWith('custom.') ? name.slice('custom.'.length) : null)

export function fieldValue(record: Record<string, unknown>, name: string): unknown {
  const key = customKey(name)
  if (key === null) return record[name]
  const custom = record.custom
  return custom && typeof custom === 'object' ? (custom as Record<string, unknown>)[key] : undefined
}

/** An included reference is the referenced record; its id is what forms hold. */
export const idOf = (value: unknown): unknown =>
  value && typeof value === 'object' && 'id' in value ? (value as { id: unknown }).id : value

const LABEL_FIELDS = ['name', 'title', 'label', 'number', 'code', 'subject', 'email']

/** What to show for a record: its display field, else the first of the usual names, else its id. */
export function displayOf(record: unknown, displayField?: string | null): string {
  if (!record || typeof record !== 'object')
    return record === null || record === undefined ? '' : String(record)
  const r = record as Record<string, unknown>
  for (const name of [displayField, ...LABEL_FIELDS]) {
    if (!name) continue
    const value = fieldValue(r, name)
    if (typeof value === 'string' && value !== '') return value
    if (typeof value === 'number') return String(value)
  }
  return String(r.id ?? '')
}

/**
 * A field's value as text, for lists and cards; `nameOf` (useMemberNames) names a user field's
 * member, whose raw id is never shown.
 */
export function formatValue(
  field: FieldMeta,
  value: unknown,
  yes: string,
  no: string,
  nameOf?: (userId: string) => string,
): string {
  if (value === null || value === undefined || value === '') return ''
  switch (field.type) {
    case 'user':
      return nameOf ? nameOf(String(value)) : ''
    case 'boolean':
      return value ? yes : no
    case 'money': {
      const m = value as { amount?: string; currency?: string }
      return `${m.amount ?? ''} ${m.currency ?? ''}`.trim()
    }
    case 'multi_select':
      return Array.isArray(value) ? value.join(', ') : String(value)
    case 'reference':
      return displayOf(value)
    case 'many_to_many':
    case 'children':
      return Array.isArray(value) ? value.map((v) => displayOf(v)).join(', ') : ''
    case 'datetime':
      return new Date(String(value)).toLocaleString()
    case 'json':
      return JSON.stringify(value)
    default:
      return String(value)
  }
}

/** The fields a form edits: the layout's sections, then any field no section names (custom ones). */
export function formSections(meta: EntityMeta, otherLabel: string): { label: string; fields: FieldMeta[] }[] {
  const byName = new Map(meta.fields.map((f) => [f.name, f]))
  const placed = new Set<string>()
  const sections = meta.layout.sections.map((s) => ({
    label: s.label,
    fields: s.fields.flatMap((name) => {
      const field = byName.get(name) ?? byName.get(`custom.${name}`)
      if (!field) return []
      placed.add(field.name)
      return [field]
    }),
  }))
  const rest = meta.fields.filter((f) => !placed.has(f.name) && f.type !== 'computed')
  if (rest.length > 0) sections.push({ label: otherLabel, fields: rest })
  return sections.filter((s) => s.fields.length > 0)
}

/** The form's values of a record: ids for references, strings for dates, lines as they are. */
export function toFormValues(meta: EntityMeta, record: EntityRecord): Record<string, unknown> {
  const values: Record<string, unknown> = {}
  for (const field of meta.fields) {
    const value = fieldValue(record, field.name)
    if (field.type === 'reference') values[field.name] = idOf(value) ?? undefined
    else if (field.type === 'many_to_many') values[field.name] = Array.isArray(value) ? value.map(idOf) : []
    else if (field.type === 'datetime' && typeof value === 'string') values[field.name] = value.slice(0, 16)
    else values[field.name] = value ?? undefined
  }
  return values
}

const empty = (value: unknown) =>
  value === undefined || value === '' || (Array.isArray(value) && value.length === 0)

/** The value the API takes for a form value: empty → null, datetimes with their offset, JSON parsed. */
function toApiValue(field: FieldMeta, value: unknown): unknown {
  if (empty(value)) return field.type === 'multi_select' || field.type === 'many_to_many' ? [] : null
  if (field.type === 'datetime' && typeof value === 'string') return new Date(value).toISOString()
  if (field.type === 'integer' && typeof value === 'string') return Number(value)
  if (field.type === 'money') {
    const m = value as { amount?: string; currency?: string }
    return m.amount ? { amount: String(m.amount), currency: (m.currency ?? '').toUpperCase() } : null
  }
  if (field.type === 'json' && typeof value === 'string') {
    try {
      return JSON.parse(value)
    } catch {
      return value
    }
  }
  return value
}

/**
 * The body of a create (every filled field) or an update (only what changed): custom fields of a
 * code entity go under `custom`, read-only and computed fields are never sent.
 */
export function toBody(
  meta: EntityMeta,
  values: Record<string, unknown>,
  before?: Record<string, unknown>,
): Record<string, unknown> {
  const body: Record<string, unknown> = {}
  const custom: Record<string, unknown> = {}
  for (const field of meta.fields) {
    if (field.read_only || field.type === 'computed') continue
    const value = values[field.name]
    if (before ? JSON.stringify(value ?? null) === JSON.stringify(before[field.name] ?? null) : empty(value))
      continue
    const key = customKey(field.name)
    const apiValue = toApiValue(field, value)
    if (key === null) body[field.name] = apiValue
    else custom[key] = apiValue
  }
  if (Object.keys(custom).length > 0) body.custom = custom
  return body
}

/** A string literal of the filter language ('' for a quote inside). */
export const literal = (text: string) => `'${text.replaceAll("'", "''")}'`

const TEXTUAL = new Set(['text', 'long_text', 'email', 'phone', 'url'])

/** The condition a per-column filter adds, or null when the field cannot be filtered this way. */
export function columnCondition(field: FieldMeta, input: string): string | null {
  const value = input.trim()
  if (value === '') return null
  if (TEXTUAL.has(field.type)) return `${field.name} contains ${literal(value)}`
  if (field.type === 'select') return `${field.name} = ${literal(value)}`
  if (field.type === 'boolean')
    return value === 'true' || value === 'false' ? `${field.name} = ${value}` : null
  if ((field.type === 'integer' || field.type === 'decimal') && /^-?[0-9]+(\.[0-9]+)?$/.test(value))
    return `${field.name} = ${value}`
  if (field.type === 'date' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return `${field.name} = ${literal(value)}`
  return null
}

export const FILTERABLE = new Set([...TEXTUAL, 'select', 'boolean', 'integer', 'decimal', 'date'])
export const SORTABLE = new Set([...TEXTUAL, 'select', 'boolean', 'integer', 'decimal', 'date', 'datetime'])

/** Joins conditions with `and`, each in parentheses so an `or` inside keeps its meaning. */
export const allOf = (conditions: (string | null)[]) =>
  conditions
    .filter((c): c is string => !!c && c.trim() !== '')
    .map((c) => `(${c})`)
    .join(' and ')
