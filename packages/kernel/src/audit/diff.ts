import { canonicalJson } from '../idempotency/request-hash.ts'
import type { AuditValues } from './chain.ts'

/** Fields every write sets: the audit row's own time and member already say them. */
const BOOKKEEPING = new Set(['updated_at', 'updated_by'])

export interface ChangedValues {
  oldValues: AuditValues | null
  newValues: AuditValues | null
}

/**
 * What a change did, field by field: for an update (or archive, or workflow action) the fields
 * whose value changed, before and after; for a create every field that has a value; for a delete
 * every field that had one. Custom fields are compared one by one under `custom`, so a masked
 * custom field can be removed from an audit view like any other.
 */
export function changedValues(
  before: AuditValues | undefined,
  after: AuditValues | undefined,
): ChangedValues {
  if (!before) return { oldValues: null, newValues: after ? setFields(after) : null }
  if (!after) return { oldValues: setFields(before), newValues: null }
  const oldValues: AuditValues = {}
  const newValues: AuditValues = {}
  for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (BOOKKEEPING.has(name)) continue
    const [was, is] = [before[name], after[name]]
    if (name === 'custom' && isObject(was) && isObject(is)) {
      const custom = changedValues(was, is)
      if (custom.oldValues && Object.keys(custom.oldValues).length > 0) {
        oldValues.custom = custom.oldValues
        newValues.custom = custom.newValues
      }
    } else if (!same(was, is)) {
      oldValues[name] = was ?? null
      newValues[name] = is ?? null
    }
  }
  return { oldValues, newValues }
}

function setFields(record: AuditValues): AuditValues {
  const values: AuditValues = {}
  for (const [name, value] of Object.entries(record)) {
    if (BOOKKEEPING.has(name) || value === null || value === undefined) continue
    if (name === 'custom' && isObject(value)) {
      const custom = setFields(value)
      if (Object.keys(custom).length > 0) values.custom = custom
    } else values[name] = value
  }
  return values
}

function same(a: unknown, b: unknown): boolean {
  return canonicalJson(a ?? null) === canonicalJson(b ?? null)
}

function isObject(value: unknown): value is AuditValues {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
