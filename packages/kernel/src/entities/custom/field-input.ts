import type { TSchema } from '@sinclair/typebox'
import type { Tx } from '../../db/schema.ts'
import { Conflict, Invalid } from '../../errors/errors.ts'
import { parse } from '../../schemas/validate.ts'
import type { FieldDefinition } from '../definition.ts'
import { checkFieldDefinition } from '../field-check.ts'
import { valueProblem, valueSchema } from '../field-types.ts'
import { type EntityModel, loadModel } from '../model.ts'
import { SYSTEM_FIELDS } from '../system-fields.ts'
import { MAX_PATTERN_VALUE, patternProblem } from './pattern-safety.ts'
import type { StoredField } from './rows.ts'
import type { CustomFieldInput } from './schemas.ts'

/** The definition as custom_fields stores it (type and label have columns of their own). */
export type StoredDefinition = Omit<FieldDefinition, 'type' | 'label'>

/** FieldDefinition's names for the API's snake_case ones, where they differ. */
const API_NAME: Record<string, string> = { minLength: 'min_length', maxLength: 'max_length' }
const CHECKED: readonly (keyof FieldDefinition)[] = [
  'options',
  'target',
  'min',
  'max',
  'minLength',
  'maxLength',
  'pattern',
  'scale',
  'unique',
  'label',
]
const NO_DEFAULT = new Set(['reference', 'user', 'many_to_many', 'file'])
/** The longest value each text type takes without max_length (see valueSchema). */
const LONGEST: Partial<Record<string, number>> = {
  text: 255,
  email: 254,
  phone: 40,
  url: 2000,
  long_text: 100_000,
}

/**
 * Checks a new custom field of `model` and returns its definition. Errors name the offending
 * property, prefixed with `at` (`fields[2].` inside a custom entity's creation). Whether the
 * entity's existing rows allow it (required, unique) is the caller's check.
 */
export async function checkNewField(
  trx: Tx,
  model: EntityModel,
  input: CustomFieldInput,
  stored: readonly StoredField[],
  at = '',
): Promise<FieldDefinition> {
  const key = input.key
  if (SYSTEM_FIELDS.has(key))
    throw Invalid.field(
      `${at}key`,
      `${at}key: "${key}" is a standard column and cannot name a field.`,
      'reserved_name',
    )
  const removed = stored.find((f) => f.key === key && f.removed_at !== null)
  if (key in model.fields || key in model.customFields || stored.some((f) => f.key === key)) {
    const message = removed
      ? `${at}key: the removed field "${key}" still holds its data; restore or purge it first.`
      : `${at}key: ${model.key} already has a field "${key}".`
    throw new Conflict(message, 'field_exists', [{ field: `${at}key`, code: 'taken', message }])
  }
  const field = definitionOf(input)
  checkDefinition(field, at)
  if (field.target !== undefined && field.target !== model.key && !(await loadModel(trx, field.target, 0)))
    throw Invalid.field(`${at}target`, `${at}target: there is no entity "${field.target}".`, 'unknown_entity')
  if (field.default !== undefined) checkDefault(field, at)
  return field
}

/** The field an input describes, with only the properties it sets. */
function definitionOf(input: CustomFieldInput): FieldDefinition {
  const field: Record<string, unknown> = { type: input.type, label: input.label.trim() }
  const copy: [keyof CustomFieldInput, keyof FieldDefinition][] = [
    ['description', 'description'],
    ['required', 'required'],
    ['unique', 'unique'],
    ['searchable', 'searchable'],
    ['min', 'min'],
    ['max', 'max'],
    ['min_length', 'minLength'],
    ['max_length', 'maxLength'],
    ['pattern', 'pattern'],
    ['options', 'options'],
    ['scale', 'scale'],
    ['target', 'target'],
    ['default', 'default'],
  ]
  for (const [from, to] of copy) {
    const value = input[from]
    if (value !== undefined && value !== null && value !== false) field[to] = value
  }
  return field as unknown as FieldDefinition
}

/**
 * The shared definition check (the one defineEntity runs), plus what only tenant-written
 * definitions need: a pattern that cannot stall the server.
 */
export function checkDefinition(field: FieldDefinition, at = ''): void {
  const problem = checkFieldDefinition(field)
  if (problem) {
    const property = culprit(field, problem)
    throw Invalid.field(`${at}${property}`, `${at}${property}: ${problem}.`, 'invalid_definition')
  }
  if (field.pattern !== undefined) {
    const unsafe = patternProblem(field.pattern)
    if (unsafe) throw Invalid.field(`${at}pattern`, `${at}pattern: ${unsafe}.`, 'unsafe_pattern')
    if ((field.maxLength ?? LONGEST[field.type] ?? Infinity) > MAX_PATTERN_VALUE) {
      const message = `${at}max_length: a field with a pattern needs a max_length of at most ${MAX_PATTERN_VALUE}.`
      throw Invalid.field(`${at}max_length`, message, 'pattern_needs_max_length')
    }
  }
}

/**
 * The property a problem is about: the one without which the definition is fine, else the first
 * whose absence changes the problem.
 */
function culprit(field: FieldDefinition, problem: string): string {
  const given = CHECKED.filter((property) => field[property] !== undefined)
  const without = (property: keyof FieldDefinition) =>
    checkFieldDefinition({ ...field, [property]: undefined })
  const found = given.find((p) => without(p) === undefined) ?? given.find((p) => without(p) !== problem)
  if (found) return API_NAME[found] ?? found
  if (problem.includes('options')) return 'options'
  if (problem.includes('target')) return 'target'
  return 'type'
}

/** A default is a value of the field, checked as a client's value would be. */
function checkDefault(field: FieldDefinition, at: string): void {
  if (NO_DEFAULT.has(field.type))
    throw Invalid.field(
      `${at}default`,
      `${at}default: a ${field.type} field cannot have a default.`,
      'no_default',
    )
  let problem: string | undefined
  try {
    // json's schema is a union of types, which the strict validator refuses to compile
    if (field.type === 'json')
      problem = isJsonValue(field.default) ? undefined : 'must be an object or a list'
    else {
      parse(valueSchema(field) as TSchema, field.default)
      problem = valueProblem(field, field.default)
    }
  } catch (err) {
    if (!(err instanceof Invalid)) throw err
    problem = 'is not a valid value of the field'
  }
  if (problem) throw Invalid.field(`${at}default`, `${at}default ${problem}.`, 'invalid_default')
}

const isJsonValue = (value: unknown) => typeof value === 'object' && value !== null

/** What custom_fields.definition holds for a field. */
export function storedDefinition(field: FieldDefinition): StoredDefinition {
  const { type: _type, label: _label, ...rest } = field
  return rest
}
