import type { FieldModel } from '../entities/model.ts'
import type { EntityAccess } from '../entities/store/access.ts'
import { SYSTEM_FIELDS } from '../entities/system-fields.ts'
import { Forbidden, Invalid } from '../errors/errors.ts'

/** Where one column of an import goes. */
export type ColumnTarget =
  | { kind: 'skip' }
  | { kind: 'company' }
  /** a field's value, or (`currency`) the currency of a money field whose amount is in another column */
  | { kind: 'field'; name: string; field: FieldModel; part: 'value' | 'currency' }

type Target = Exclude<ColumnTarget, { kind: 'skip' }>

/**
 * Maps each column of the file to a field. `mapping` (JSON, `{"Column header": "field_name"}`,
 * null to leave a column out) decides for the columns it names; the other columns match a field
 * by API name (`custom.<key>` for custom fields, `<money>_currency` for a currency) or by label,
 * ignoring case. Columns an export adds that no import can write (id, timestamps, state,
 * computed fields) are left out; any other unmatched column is an error, so no data is dropped
 * silently. A field the member may not change (field rules) is refused with 403, as in the API.
 */
export function mapColumns(
  access: EntityAccess,
  headers: readonly string[],
  mapping?: string,
): ColumnTarget[] {
  const { names, labels, skipped } = importable(access)
  const explicit = parseMapping(mapping, headers)
  const errors: { field: string; code: string; message: string }[] = []
  const targets = headers.map((header): ColumnTarget => {
    if (explicit.has(header)) {
      const name = explicit.get(header)
      if (name === null || name === undefined) return { kind: 'skip' }
      const target = names.get(name)
      if (target) return target
      errors.push({
        field: 'mapping',
        code: 'unknown_field',
        message: `mapping: ${JSON.stringify(name.slice(0, 100))} is not a field you can import into.`,
      })
      return { kind: 'skip' }
    }
    const key = header.toLowerCase()
    const target = names.get(header) ?? namesIgnoringCase(names, key) ?? labels.get(key)
    if (target) return target
    if (header === '' || skipped.has(key)) return { kind: 'skip' }
    errors.push({
      field: header.slice(0, 100),
      code: 'unmapped_column',
      message: `The column ${JSON.stringify(header.slice(0, 100))} matches no field: map it, or map it to null to leave it out.`,
    })
    return { kind: 'skip' }
  })
  const seen = new Map<string, string>()
  targets.forEach((t, i) => {
    if (t.kind === 'skip') return
    const id = t.kind === 'company' ? 'company_id' : `${t.name}:${t.part}`
    const before = seen.get(id)
    if (before !== undefined)
      errors.push({
        field: headers[i] ?? '',
        code: 'duplicate_column',
        message: `The columns ${JSON.stringify(before)} and ${JSON.stringify(headers[i])} both fill ${id.replace(/:.*/, '')}.`,
      })
    seen.set(id, headers[i] ?? '')
  })
  if (errors.length > 0) throw new Invalid(errors.map((e) => e.message).join(' '), errors, 'invalid_mapping')
  for (const t of targets) {
    const name = t.kind === 'company' ? 'company_id' : t.kind === 'field' ? t.name : undefined
    if (name && (access.fields.hidden.has(name) || access.fields.readOnly.has(name)))
      throw new Forbidden(`You may not change the field ${name}.`, 'field_read_only')
  }
  return targets
}

function namesIgnoringCase(names: Map<string, Target>, key: string): Target | undefined {
  for (const [name, target] of names) if (name.toLowerCase() === key) return target
  return undefined
}

function importable(access: EntityAccess) {
  const { model } = access
  const names = new Map<string, Target>()
  const labels = new Map<string, Target>()
  const skipped = new Set<string>([...SYSTEM_FIELDS].filter((n) => n !== 'company_id'))
  const add = (field: FieldModel, name: string) => {
    const d = field.definition
    if (d.type === 'children' || d.type === 'computed' || d.readOnly) {
      skipped.add(name.toLowerCase())
      return
    }
    const value: Target = { kind: 'field', name, field, part: 'value' }
    names.set(name, value)
    if (d.label) labels.set(d.label.toLowerCase(), value)
    if (d.type === 'money') {
      const currency: Target = { kind: 'field', name, field, part: 'currency' }
      names.set(`${name}_currency`, currency)
      if (d.label) labels.set(`${d.label} currency`.toLowerCase(), currency)
    }
  }
  for (const field of Object.values(model.fields)) add(field, field.name)
  for (const field of Object.values(model.customFields)) add(field, `custom.${field.name}`)
  if (model.definition.companyScoped) names.set('company_id', { kind: 'company' })
  return { names, labels, skipped }
}

function parseMapping(text: string | undefined, headers: readonly string[]): Map<string, string | null> {
  if (text === undefined || text === '') return new Map()
  const invalid = (message: string) => Invalid.field('mapping', `mapping: ${message}`, 'invalid_mapping')
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw invalid('not JSON; send {"Column header": "field_name", ...}.')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid('must be an object {"Column header": "field_name", ...}.')
  const entries = Object.entries(value)
  const bad = entries.find(([, v]) => v !== null && (typeof v !== 'string' || v.length > 200))
  if (bad)
    throw invalid(`the column ${JSON.stringify(bad[0].slice(0, 100))} must map to a field name or null.`)
  const missing = entries.find(([k]) => !headers.includes(k))
  if (missing) throw invalid(`the file has no column ${JSON.stringify(missing[0].slice(0, 100))}.`)
  return new Map(entries as [string, string | null][])
}
