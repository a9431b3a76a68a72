import Decimal from 'decimal.js'
import type { FieldType as FilterFieldType } from '../filters/metadata.ts'
import type { EntityFieldType, FieldDefinition } from './definition.ts'

/** A decimal as JSON carries it: a string, never a float (`"12.50"`, `"-3"`). */
export const DECIMAL_PATTERN = '^-?[0-9]{1,20}(\\.[0-9]{1,12})?$'
const UUID = { type: 'string', format: 'uuid' }
const DEFAULT_MAX_LENGTH: Partial<Record<EntityFieldType, number>> = {
  text: 255,
  long_text: 100_000,
  email: 254,
  phone: 40,
  url: 2000,
}

/** How the filter language sees each type; absent: not filterable (children, links, computed). */
const FILTER_TYPES: Partial<Record<EntityFieldType, FilterFieldType>> = {
  text: 'text',
  long_text: 'text',
  email: 'text',
  phone: 'text',
  url: 'text',
  integer: 'integer',
  decimal: 'decimal',
  money: 'money',
  boolean: 'boolean',
  date: 'date',
  datetime: 'datetime',
  select: 'select',
  multi_select: 'multi_select',
  reference: 'reference',
  user: 'uuid',
  file: 'uuid',
  json: 'json',
}

export function filterTypeOf(field: FieldDefinition): FilterFieldType | undefined {
  return FILTER_TYPES[field.type]
}

/** Whether a value of the field is written by clients at all (computed values never are). */
export function isInput(field: FieldDefinition): boolean {
  return field.type !== 'computed' && !field.readOnly
}

/**
 * The JSON Schema of one value of the field as a client sends it, without null (the caller adds
 * null for optional fields). Children are the caller's business: they need the child entity.
 */
export function valueSchema(field: FieldDefinition): Record<string, unknown> {
  const text = (extra: Record<string, unknown> = {}) => ({
    type: 'string',
    maxLength: field.maxLength ?? DEFAULT_MAX_LENGTH[field.type] ?? 255,
    ...(field.minLength !== undefined ? { minLength: field.minLength } : {}),
    ...extra,
  })
  switch (field.type) {
    case 'text':
    case 'long_text':
      return text()
    case 'email':
      return text({ format: 'email' })
    case 'phone':
      return text({ pattern: '^\\+?[0-9 ().\\-/]{3,40}$' })
    case 'url':
      return text({ format: 'uri', pattern: '^https?://' })
    case 'integer':
      return {
        type: 'integer',
        minimum: Math.max(Number(field.min ?? Number.MIN_SAFE_INTEGER), Number.MIN_SAFE_INTEGER),
        maximum: Math.min(Number(field.max ?? Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER),
      }
    case 'decimal':
      return { type: 'string', pattern: DECIMAL_PATTERN, examples: ['12.50'] }
    case 'money':
      return {
        type: 'object',
        required: ['amount', 'currency'],
        additionalProperties: false,
        properties: {
          amount: { type: 'string', pattern: DECIMAL_PATTERN, examples: ['1250.00'] },
          currency: { type: 'string', pattern: '^[A-Z]{3}$', examples: ['EUR'] },
        },
      }
    case 'boolean':
      return { type: 'boolean' }
    case 'date':
      return { type: 'string', format: 'date' }
    case 'datetime':
      return { type: 'string', format: 'date-time' }
    case 'select':
      return { type: 'string', enum: [...(field.options ?? [])] }
    case 'multi_select':
      return {
        type: 'array',
        uniqueItems: true,
        maxItems: 200,
        items: { type: 'string', enum: [...(field.options ?? [])] },
      }
    case 'reference':
    case 'user':
    case 'file':
      return UUID
    case 'many_to_many':
      return { type: 'array', uniqueItems: true, maxItems: 1000, items: UUID }
    case 'json':
      return { type: ['object', 'array'] }
    case 'children':
      return { type: 'array', maxItems: 1000, items: { type: 'object' } }
    case 'computed':
      return outputSchemaOf(field.returns ?? 'text')
  }
}

function outputSchemaOf(type: NonNullable<FieldDefinition['returns']>): Record<string, unknown> {
  switch (type) {
    case 'integer':
      return { type: 'integer' }
    case 'decimal':
      return { type: 'string', pattern: DECIMAL_PATTERN }
    case 'boolean':
      return { type: 'boolean' }
    case 'date':
      return { type: 'string', format: 'date' }
    case 'datetime':
      return { type: 'string', format: 'date-time' }
    default:
      return { type: 'string' }
  }
}

/**
 * What JSON Schema cannot say about a value that passed it: decimal bounds and places, a pattern
 * over the whole value. Returns the problem, or undefined.
 */
export function valueProblem(field: FieldDefinition, value: unknown, minorUnit?: number): string | undefined {
  if (value === null || value === undefined) return undefined
  if (field.type === 'decimal' || field.type === 'money') {
    const text = field.type === 'money' ? (value as { amount: string }).amount : (value as string)
    const amount = new Decimal(text)
    const places = field.type === 'money' ? (minorUnit ?? 2) : (field.scale ?? 6)
    if (amount.decimalPlaces() > places) return `has more than ${places} decimal places`
    if (field.min !== undefined && amount.lt(field.min)) return `must be at least ${field.min}`
    if (field.max !== undefined && amount.gt(field.max)) return `must be at most ${field.max}`
  }
  if (field.type === 'integer') {
    if (field.min !== undefined && (value as number) < Number(field.min))
      return `must be at least ${field.min}`
    if (field.max !== undefined && (value as number) > Number(field.max))
      return `must be at most ${field.max}`
  }
  if (
    field.pattern !== undefined &&
    typeof value === 'string' &&
    !new RegExp(`^(?:${field.pattern})$`, 'u').test(value)
  )
    return 'does not have the expected format'
  if (
    (field.type === 'text' || field.type === 'long_text') &&
    typeof value === 'string' &&
    hasControl(value, field.type)
  )
    return 'contains control characters'
  return undefined
}

/** Text never carries control characters (long text may carry line breaks and tabs). */
function hasControl(value: string, type: EntityFieldType): boolean {
  const allowed = type === 'text' ? '' : '\t\n\r'
  for (const char of value) {
    const code = char.charCodeAt(0)
    if ((code < 0x20 || code === 0x7f) && !allowed.includes(char)) return true
  }
  return false
}

/** A stored value as JSON: numerics stay strings, timestamps become ISO 8601, bigints numbers. */
export function toJson(field: FieldDefinition, value: unknown): unknown {
  if (value === null || value === undefined) return null
  switch (field.type) {
    case 'datetime':
      return value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString()
    case 'integer':
      return typeof value === 'string' ? Number(value) : value
    case 'decimal':
      // a numeric column keeps its scale ("1.250"); only a number that slipped in is converted
      return typeof value === 'string' ? value : new Decimal(value as number).toFixed()
    default:
      return value
  }
}
