import type { FieldDefinition } from '@tessera/kernel'
import Decimal from 'decimal.js'

/** A UUIDv7, as every id is. */
export const EXAMPLE_ID = '0193a5b2-7c4e-7d21-9f3a-2b8c4d6e8f10'
export const EXAMPLE_USER_ID = '0193a5b2-6a10-7b3c-8d4e-5f6a7b8c9d0e'
export const EXAMPLE_DATETIME = '2025-01-31T09:30:00.000Z'

/**
 * An example value of the field, valid against its schema (bounds, lengths, options), or
 * undefined when none can be made without guessing (a text with a pattern, children, whose
 * example is the child schema's).
 */
export function exampleOf(name: string, field: FieldDefinition): unknown {
  if (field.default !== undefined && field.default !== null) return field.default
  switch (field.type) {
    case 'text':
    case 'long_text':
      return field.pattern === undefined
        ? sized(`Example ${(field.label ?? name).toLowerCase()}`, field)
        : undefined
    case 'email':
      return field.pattern === undefined ? sized('ada@example.com', field) : undefined
    case 'phone':
      return field.pattern === undefined ? sized('+44 20 7946 0958', field) : undefined
    case 'url':
      return field.pattern === undefined ? sized('https://example.com', field) : undefined
    case 'integer':
      return Number(bounded(new Decimal(42), field).toFixed(0))
    case 'decimal':
      return decimalText(bounded(new Decimal('12.5'), field), field.scale ?? 6)
    case 'money':
      return { amount: decimalText(bounded(new Decimal('1250'), field), 2), currency: 'EUR' }
    case 'boolean':
      return true
    case 'date':
      return '2025-01-31'
    case 'datetime':
      return EXAMPLE_DATETIME
    case 'select':
      return field.options?.[0]
    case 'multi_select':
      return field.options?.slice(0, 2) ?? []
    case 'reference':
    case 'user':
    case 'file':
      return EXAMPLE_ID
    case 'many_to_many':
      return [EXAMPLE_ID]
    case 'json':
      return { note: 'any JSON object or array' }
    case 'computed':
      return exampleOf(name, { type: field.returns ?? 'text', label: field.label ?? name })
    case 'children':
      return undefined
  }
}

/** The text cut or padded to the field's length bounds. */
function sized(text: string, field: FieldDefinition): string | undefined {
  const max = field.maxLength ?? Number.POSITIVE_INFINITY
  const min = field.minLength ?? 0
  if (min > max) return undefined
  const padded = text.length >= min ? text : text.padEnd(min, 'x')
  return padded.slice(0, max)
}

/** Two decimal places, as money reads, unless the value needs more (a bound like 0.005). */
function decimalText(value: Decimal, scale: number): string {
  return value.toFixed(Math.min(scale, Math.max(2, value.decimalPlaces())))
}

/** The value moved inside the field's inclusive bounds. */
function bounded(value: Decimal, field: FieldDefinition): Decimal {
  let result = value
  if (field.min !== undefined && result.lt(field.min)) result = new Decimal(field.min)
  if (field.max !== undefined && result.gt(field.max)) result = new Decimal(field.max)
  return result
}
