import { Ajv, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { sql } from 'kysely'
import { assertWritable } from '../../access/rules/field-access.ts'
import { type FieldError, Invalid, NotFound } from '../../errors/errors.ts'
import { fieldPath } from '../../schemas/validate.ts'
import type { EntityContext } from '../context.ts'
import { valueProblem, valueSchema } from '../field-types.ts'
import type { EntityModel, FieldModel } from '../model.ts'
import { SYSTEM_FIELDS, WRITABLE_SYSTEM_FIELDS } from '../system-fields.ts'
import { type EntityAccess, loadAccess, modelOf } from './access.ts'
import { checkMembers } from './members.ts'
import type { JsonRecord } from './rows.ts'

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default
const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: false, useDefaults: false })
addFormats(ajv)
const validators = new Map<string, ValidateFunction>()

/** A write's values sorted by where they go. */
export interface WriteValues {
  /** SQL column → value (code entities) */
  columns: Record<string, unknown>
  /** custom entity field → JSON value, merged into `records.data` */
  data: Record<string, unknown>
  /** custom field → JSON value, merged into `custom` */
  custom: Record<string, unknown>
  /** many-to-many field → target ids (replacing the field's links) */
  links: Map<string, string[]>
  /** children field → the lines as sent, checked by the children writer */
  children: Map<string, unknown[]>
  companyId?: string
  /** the fields as written, by API name (custom ones under `custom`), for validate hooks */
  given: JsonRecord
}

/**
 * Checks a create or update body against the entity as this tenant defines it, collecting every
 * problem: unknown fields, read-only ones, types, validation rules, currencies, references to
 * records the member cannot see (404, like another tenant's id) and user ids of non-members (400).
 * Nothing is written here.
 */
export async function readInput(
  ctx: EntityContext,
  access: EntityAccess,
  body: unknown,
  mode: 'create' | 'update',
  prefix = '',
  /** fields the caller sets itself (a line's document): present for `required` */
  preset: readonly string[] = [],
): Promise<WriteValues> {
  const { model } = access
  const name = (field: string) => `${prefix}${field}`
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw Invalid.field(
      prefix ? prefix.replace(/\.$/, '') : '(body)',
      'The body must be a JSON object.',
      'type',
    )
  assertWritable(body as JsonRecord, access.fields)
  const errors: FieldError[] = []
  const fail = (field: string, code: string, message: string) =>
    errors.push({ field: name(field), code, message: `${name(field)} ${message}` })
  const values: WriteValues = {
    columns: {},
    data: {},
    custom: {},
    links: new Map(),
    children: new Map(),
    given: {},
  }
  const checked: [FieldModel, unknown, string][] = []
  for (const [key, value] of Object.entries(body as JsonRecord)) {
    const field = Object.hasOwn(model.fields, key) ? model.fields[key] : undefined
    if (key === 'custom' && !model.isCustomEntity && model.definition.customizable !== false) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        fail('custom', 'type', 'must be an object of custom fields.')
        continue
      }
      const custom: JsonRecord = {}
      for (const [ckey, cvalue] of Object.entries(value as JsonRecord)) {
        const cfield = Object.hasOwn(model.customFields, ckey) ? model.customFields[ckey] : undefined
        if (!cfield) fail(`custom.${ckey}`, 'unknown_field', 'is not a field of this entity.')
        else {
          checked.push([cfield, cvalue, `custom.${ckey}`])
          custom[ckey] = cvalue
        }
      }
      values.given.custom = custom
    } else if (field) {
      if (field.definition.readOnly || field.storage.kind === 'computed')
        fail(key, 'read_only', 'is set by the system and cannot be written.')
      else checked.push([field, value, key])
    } else if (key === 'company_id' && model.definition.companyScoped && mode === 'create') {
      if (typeof value !== 'string') fail(key, 'type', 'must be a company id.')
      else values.companyId = value
    } else if (SYSTEM_FIELDS.has(key) && !WRITABLE_SYSTEM_FIELDS.has(key)) {
      fail(key, 'read_only', 'is set by the system and cannot be written.')
    } else fail(key, 'unknown_field', 'is not a field of this entity.')
  }
  if (mode === 'create') applyDefaults(model, body as JsonRecord, checked)
  const currencies = await minorUnits(ctx, checked)
  for (const entry of checked) {
    const [field, value, path] = entry
    const problem = checkValue(field, value, mode, currencies)
    if (problem) fail(path, problem.code, problem.message)
    else {
      // a user id is stored as the users table spells it, so jsonb filters compare like for like
      if (field.definition.type === 'user' && typeof value === 'string') entry[1] = value.toLowerCase()
      place(values, field, entry[1])
    }
  }
  if (mode === 'create') {
    for (const field of [...Object.values(model.fields), ...Object.values(model.customFields)]) {
      const path = field.custom ? `custom.${field.name}` : field.name
      const given = checked.find(([f]) => f === field)
      if (preset.includes(field.name)) continue
      if (
        field.definition.required &&
        (!given || isEmpty(given[1])) &&
        !errors.some((e) => e.field === name(path))
      )
        fail(path, 'required', 'is required.')
    }
  }
  if (errors.length > 0)
    throw new Invalid(`The input is invalid: ${errors.map((e) => e.message).join(' ')}`, errors)
  await checkReferences(ctx, checked, name)
  await checkMembers(ctx, checked, name)
  return values
}

function applyDefaults(model: EntityModel, body: JsonRecord, checked: [FieldModel, unknown, string][]): void {
  const custom = (body.custom ?? {}) as JsonRecord
  for (const field of [...Object.values(model.fields), ...Object.values(model.customFields)]) {
    const present = field.custom ? Object.hasOwn(custom, field.name) : Object.hasOwn(body, field.name)
    if (!present && field.definition.default !== undefined)
      checked.push([field, field.definition.default, field.custom ? `custom.${field.name}` : field.name])
  }
}

const isEmpty = (value: unknown) => value === null || value === undefined || value === ''

function checkValue(
  field: FieldModel,
  value: unknown,
  mode: 'create' | 'update',
  currencies: Map<string, number>,
): { code: string; message: string } | undefined {
  if (value === null) {
    if (field.definition.required) return { code: 'required', message: 'is required and cannot be null.' }
    return undefined
  }
  if (field.definition.type === 'children') {
    if (!Array.isArray(value)) return { code: 'type', message: 'must be an array of lines.' }
    return undefined
  }
  const schema = valueSchema(field.definition)
  const key = JSON.stringify(schema)
  let validate = validators.get(key)
  if (!validate) {
    validate = ajv.compile(schema)
    validators.set(key, validate)
  }
  if (!validate(value)) {
    const error = validate.errors?.[0]
    const inner = error?.instancePath ? `${fieldPath(error.instancePath)} ` : ''
    return { code: error?.keyword ?? 'invalid', message: `${inner}${error?.message ?? 'is invalid'}.` }
  }
  if (field.definition.type === 'money') {
    const currency = (value as { currency: string }).currency
    const unit = currencies.get(currency)
    if (unit === undefined)
      return { code: 'unknown_currency', message: `has an unknown currency ${currency}.` }
    const problem = valueProblem(field.definition, value, unit)
    return problem ? { code: 'invalid', message: problem } : undefined
  }
  void mode
  const problem = valueProblem(field.definition, value)
  return problem ? { code: 'invalid', message: problem } : undefined
}

/** ISO 4217 minor units, when the input has money in it. */
async function minorUnits(
  ctx: EntityContext,
  checked: [FieldModel, unknown, string][],
): Promise<Map<string, number>> {
  const codes = checked
    .filter(([f, v]) => f.definition.type === 'money' && typeof v === 'object' && v !== null)
    .map(([, v]) => (v as { currency?: unknown }).currency)
    .filter((c): c is string => typeof c === 'string' && /^[A-Z]{3}$/.test(c))
  if (codes.length === 0) return new Map()
  const rows = await ctx.db
    .selectFrom('currencies')
    .select(['code', 'minor_unit'])
    .where('code', 'in', codes)
    .execute()
  return new Map(rows.map((r) => [r.code, r.minor_unit]))
}

function place(values: WriteValues, field: FieldModel, value: unknown): void {
  const { storage } = field
  if (field.custom) values.custom[field.name] = value
  else values.given[field.name] = value
  switch (storage.kind) {
    case 'column':
      if (storage.currencyColumn) {
        const money = value as { amount: string; currency: string } | null
        values.columns[storage.column] = money?.amount ?? null
        values.columns[storage.currencyColumn] = money?.currency ?? null
      } else
        values.columns[storage.column] =
          field.definition.type === 'json' && value !== null ? JSON.stringify(value) : value
      return
    case 'json':
      if (storage.column === 'data') values.data[storage.key] = value
      return
    case 'links':
      values.links.set(field.name, (value as string[] | null) ?? [])
      return
    case 'children':
      values.children.set(field.name, (value as unknown[] | null) ?? [])
      return
    default:
      return
  }
}

/**
 * Every reference and many-to-many id must name a record of the target entity that the member
 * may see: otherwise 404 naming the field, exactly as for another tenant's id.
 */
async function checkReferences(
  ctx: EntityContext,
  checked: [FieldModel, unknown, string][],
  name: (field: string) => string,
): Promise<void> {
  for (const [field, value, path] of checked) {
    const type = field.definition.type
    if ((type !== 'reference' && type !== 'many_to_many') || value === null) continue
    const ids = type === 'reference' ? [value as string] : (value as string[])
    if (ids.length === 0) continue
    const target = await modelOf(ctx, field.definition.target as string)
    const found = target ? await visibleIds(ctx, target, ids) : new Set<string>()
    const missing = ids.findIndex((id) => !found.has(id))
    if (missing >= 0) {
      const at = type === 'reference' ? name(path) : `${name(path)}[${missing}]`
      throw NotFound.field(
        at,
        `${at}: there is no ${target?.label ?? field.definition.target} with the id ${ids[missing]}.`,
        'reference_not_found',
      )
    }
  }
}

/** Which of `ids` are rows of `model` the member may see. */
export async function visibleIds(
  ctx: EntityContext,
  model: EntityModel,
  ids: readonly string[],
): Promise<Set<string>> {
  const access = await loadAccess(ctx, model)
  const { rows } = await sql<{ id: string }>`
    select t.id from ${sql.table(model.table)} as t
    where t.id in (${sql.join(ids.map((id) => sql`${id}::uuid`))}) and ${access.rows('t')}`.execute(ctx.db)
  return new Set(rows.map((r) => r.id))
}
