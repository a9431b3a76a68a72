import type { FilterLiteral } from './ast.ts'
import { quote } from './filter-error.ts'
import type { FieldMetadata } from './metadata.ts'

/** A value checked against its field's type, ready to bind: numbers and dates stay strings. */
export type BoundValue = string | boolean

export type Checked = { ok: true; value: BoundValue } | { ok: false; message: string }

const INTEGER = /^-?[0-9]+$/
const DECIMAL = /^-?[0-9]+(?:\.[0-9]+)?$/
const DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/
const DATETIME =
  /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:[0-9]{2})$/
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/
const INT8_MIN = -(2n ** 63n)
const INT8_MAX = 2n ** 63n - 1n
// PostgreSQL's numeric allows 131,072 digits before the point and 16,383 after
const MAX_FRACTION_DIGITS = 16383

/** Checks one literal for a field of the given type; `name` is the path as written, for messages. */
export function checkValue(name: string, field: FieldMetadata, literal: FilterLiteral): Checked {
  const fail = (message: string): Checked => ({ ok: false, message: `${quote(name)} ${message}` })
  if (literal.kind === 'null') return fail('cannot be compared with null here.')
  if (literal.kind === 'string' && literal.value.includes('\u0000'))
    return fail('cannot be compared with a value containing a NUL character.')
  const text = literal.kind === 'boolean' ? undefined : literal.value
  switch (field.type) {
    case 'text':
      return literal.kind === 'string' ? ok(literal.value) : fail('expects text in single quotes.')
    case 'integer':
      if (text === undefined || !INTEGER.test(text))
        return fail(`expects a whole number, not ${show(literal)}.`)
      if (BigInt(text) < INT8_MIN || BigInt(text) > INT8_MAX) return fail('expects a smaller whole number.')
      return ok(text)
    case 'decimal':
    case 'money':
      if (text === undefined || !DECIMAL.test(text)) return fail(`expects a number, not ${show(literal)}.`)
      if ((text.split('.')[1]?.length ?? 0) > MAX_FRACTION_DIGITS) return fail('has too many decimals.')
      return ok(text)
    case 'boolean':
      return literal.kind === 'boolean'
        ? ok(literal.value)
        : fail(`expects true or false, not ${show(literal)}.`)
    case 'date':
      return literal.kind === 'string' && isDate(literal.value)
        ? ok(literal.value)
        : fail(`expects a date as 'YYYY-MM-DD', not ${show(literal)}.`)
    case 'datetime': {
      const value = literal.kind === 'string' ? toDatetime(literal.value) : undefined
      return value
        ? ok(value)
        : fail(`expects a date-time as 'YYYY-MM-DDTHH:MM:SSZ' (or with an offset), not ${show(literal)}.`)
    }
    case 'select':
    case 'multi_select':
      if (literal.kind !== 'string') return fail(`expects one of its options, not ${show(literal)}.`)
      return field.options?.includes(literal.value)
        ? ok(literal.value)
        : fail(`has no option ${quote(literal.value)}.`)
    case 'uuid':
    case 'reference':
    case 'links':
      return literal.kind === 'string' && UUID.test(literal.value)
        ? ok(literal.value.toLowerCase())
        : fail(`expects an id (a UUID), not ${show(literal)}.`)
    case 'json':
      return fail('can only be tested with "is null" or "is not null".')
  }
}

function ok(value: BoundValue): Checked {
  return { ok: true, value }
}

function show(literal: FilterLiteral): string {
  switch (literal.kind) {
    case 'string':
      return quote(literal.value)
    case 'null':
      return 'null'
    default:
      return String(literal.value)
  }
}

/** A real calendar day: 2025-02-30 matches the pattern but is refused. */
export function isDate(text: string): boolean {
  const m = DATE.exec(text)
  return m !== null && isDay(Number(m[1]), Number(m[2]), Number(m[3]))
}

/** Accepts a date (midnight UTC) or a date-time with Z or an offset; never a local time. */
function toDatetime(text: string): string | undefined {
  if (isDate(text)) return `${text}T00:00:00Z`
  const m = DATETIME.exec(text)
  if (!m || !isDay(Number(m[1]), Number(m[2]), Number(m[3]))) return undefined
  if (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59) return undefined
  const offset = m[7] as string
  if (offset !== 'Z' && (Number(offset.slice(1, 3)) > 15 || Number(offset.slice(4, 6)) > 59)) return undefined
  return text
}

function isDay(year: number, month: number, day: number): boolean {
  if (year < 1 || month < 1 || month > 12 || day < 1) return false
  // day 0 of the next month is the last day of this one; setUTCFullYear keeps years below 100 as they are
  const last = new Date(0)
  last.setUTCFullYear(year, month, 0)
  return day <= last.getUTCDate()
}
