import { type RawBuilder, sql } from 'kysely'
import type { FieldType } from './metadata.ts'
import type { ResolvedField } from './validate.ts'
import type { BoundValue } from './values.ts'

/** The SQL type each field type's values are compared as; bound values are cast to it. */
export const SQL_TYPES: Readonly<Record<FieldType, string>> = {
  text: 'text',
  integer: 'bigint',
  decimal: 'numeric',
  money: 'numeric',
  boolean: 'boolean',
  date: 'date',
  datetime: 'timestamptz',
  select: 'text',
  multi_select: 'text',
  reference: 'uuid',
  links: 'uuid',
  uuid: 'uuid',
  json: 'jsonb',
}

/**
 * What a custom value's text must look like before it is cast. Custom fields are validated on
 * write, but a field's type can change later; a stray value then reads as null instead of making
 * the whole query fail on a cast.
 */
const CUSTOM_PATTERNS: Partial<Record<FieldType, string>> = {
  integer: '^-?[0-9]{1,18}$',
  decimal: '^-?[0-9]+(\\.[0-9]+)?$',
  money: '^-?[0-9]+(\\.[0-9]+)?$',
  boolean: '^(true|false)$',
  date: '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$',
  datetime:
    '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2})$',
  reference: '^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$',
  uuid: '^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$',
}

/** The field's value as SQL of its type: the column, or `(custom->>'key')` cast by the field's type. */
export function valueSql(field: ResolvedField, alias: string): RawBuilder<unknown> {
  const { storage, meta } = field
  if (storage.kind === 'column') return sql.id(alias, storage.column)
  const text = jsonbGet(sql.id(alias, storage.column), storage.path, '->>', '#>>')
  const pattern = CUSTOM_PATTERNS[meta.type]
  if (!pattern) return text
  return sql`(case when ${text} ~ ${pattern} then ${text}::${sql.raw(SQL_TYPES[meta.type])} end)`
}

/** A custom field's raw jsonb, for multi-select arrays: `(custom->'key')`. */
export function jsonSql(field: ResolvedField, alias: string): RawBuilder<unknown> {
  const { storage } = field
  if (storage.kind === 'column') return sql.id(alias, storage.column)
  return jsonbGet(sql.id(alias, storage.column), storage.path, '->', '#>')
}

/**
 * `(custom ->> 'key')` for one key (what an expression index matches), `(data #>> '{key,amount}')`
 * for a path. The keys are identifiers checked against metadata, so literals are safe.
 */
function jsonbGet(
  column: RawBuilder<unknown>,
  path: readonly string[],
  keyOp: '->>' | '->',
  pathOp: '#>>' | '#>',
): RawBuilder<unknown> {
  const [only] = path
  if (path.length === 1 && only !== undefined) return sql`(${column} ${sql.raw(keyOp)} ${sql.lit(only)})`
  return sql`(${column} ${sql.raw(pathOp)} ${sql.lit(`{${path.join(',')}}`)}::text[])`
}

/** A bound parameter cast to the field's SQL type: `$1::numeric`. */
export function boundSql(value: BoundValue, type: FieldType): RawBuilder<unknown> {
  return sql`${value}::${sql.raw(SQL_TYPES[type])}`
}

/** An array of bound text parameters: `array[$1, $2]::text[]`. */
export function textArraySql(values: readonly BoundValue[]): RawBuilder<unknown> {
  return sql`array[${sql.join(values.map(String))}]::text[]`
}

/** `%`, `_` and `\` in a searched text are data, not LIKE wildcards. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`)
}
