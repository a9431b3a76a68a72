import Decimal from 'decimal.js'
import { ENTITY_KEY } from '../access/rules/registry.ts'
import { SQL_IDENTIFIER } from '../filters/metadata.ts'
import { ENTITY_FIELD_TYPES, type FieldDefinition } from './definition.ts'

const TEXTUAL = new Set(['text', 'long_text', 'email', 'phone', 'url'])
const NUMERIC = new Set(['integer', 'decimal', 'money'])
const OPTION = /^[A-Za-z0-9][A-Za-z0-9 _.\-/&()+]{0,99}$/

/**
 * What is wrong with a field definition, or undefined. Shared by `defineEntity` (a programming
 * error) and the custom field API (a 400 naming the field), so both accept exactly the same.
 */
export function checkFieldDefinition(field: FieldDefinition): string | undefined {
  if (!(ENTITY_FIELD_TYPES as readonly string[]).includes(field.type)) return `unknown type "${field.type}"`
  if (field.label !== undefined && (field.label.trim() === '' || field.label.length > 100))
    return 'the label must have 1 to 100 characters'
  if (field.type === 'select' || field.type === 'multi_select') {
    if (!field.options || field.options.length === 0) return 'a select needs options'
    if (field.options.length > 200) return 'a select has at most 200 options'
    if (new Set(field.options).size !== field.options.length) return 'the options must be distinct'
    const bad = field.options.find((o) => !OPTION.test(o))
    if (bad !== undefined)
      return `the option ${JSON.stringify(bad)} must be 1 to 100 letters, digits, spaces or _.-/&()+`
  } else if (field.options !== undefined) return 'only a select has options'
  if (['reference', 'children', 'many_to_many'].includes(field.type)) {
    if (!field.target || !ENTITY_KEY.test(field.target)) return 'a reference needs a target entity key'
  } else if (field.target !== undefined) return 'only references have a target'
  if (field.type === 'children' && (!field.inverse || !SQL_IDENTIFIER.test(field.inverse)))
    return 'children need the inverse reference field of the child'
  if (field.type === 'computed' && (!field.compute || !field.returns))
    return 'a computed field needs compute and returns'
  if (
    field.type === 'decimal' &&
    field.scale !== undefined &&
    !(Number.isInteger(field.scale) && field.scale >= 0 && field.scale <= 12)
  )
    return 'the scale must be an integer from 0 to 12'
  if (field.min !== undefined || field.max !== undefined) {
    if (!NUMERIC.has(field.type)) return 'only numbers have min and max'
    const bounds = [field.min, field.max].filter((b) => b !== undefined)
    if (bounds.some((b) => !isNumber(b))) return 'min and max must be numbers'
    if (field.min !== undefined && field.max !== undefined && new Decimal(field.min).gt(field.max))
      return 'min is greater than max'
  }
  if (field.minLength !== undefined || field.maxLength !== undefined || field.pattern !== undefined) {
    if (!TEXTUAL.has(field.type)) return 'only text fields have a length or a pattern'
    for (const n of [field.minLength, field.maxLength])
      if (n !== undefined && !(Number.isInteger(n) && n >= 0 && n <= 100_000))
        return 'lengths must be integers from 0 to 100000'
    if ((field.minLength ?? 0) > (field.maxLength ?? 100_000)) return 'minLength is greater than maxLength'
    if (field.pattern !== undefined) {
      if (field.pattern.length > 500) return 'the pattern is longer than 500 characters'
      try {
        new RegExp(field.pattern, 'u')
      } catch {
        return 'the pattern is not a valid regular expression'
      }
    }
  }
  if (field.unique && !['text', 'email', 'phone', 'url', 'integer', 'date', 'select'].includes(field.type))
    return `a ${field.type} field cannot be unique`
  return undefined
}

function isNumber(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value)
  return typeof value === 'string' && /^-?\d{1,20}(\.\d{1,12})?$/.test(value)
}
