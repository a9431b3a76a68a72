import { type Expression, type RawBuilder, type SqlBool, sql } from 'kysely'
import { Invalid } from '../../errors/errors.ts'
import { filterExpression } from '../../filters/compile.ts'
import { SQL_TYPES, valueSql } from '../../filters/field-sql.ts'
import type { EntityMetadata } from '../../filters/metadata.ts'
import { type ResolvedField, resolveField } from '../../filters/validate.ts'
import type { EntityContext } from '../context.ts'
import { companyCondition, type EntityAccess } from './access.ts'

/** The list parameters of GET /{resource}, as strings from the query. */
export interface ListQuery {
  filter?: string
  sort?: string
  fields?: string
  include?: string
  limit?: number
  cursor?: string
  count?: boolean
  include_archived?: boolean
  /** a quick search over the entity's search fields */
  q?: string
}

export const MAX_LIMIT = 200
export const DEFAULT_LIMIT = 50

export interface SortKey {
  field: ResolvedField
  descending: boolean
}

const UNSORTABLE = new Set(['multi_select', 'links', 'json'])

/** `sort=name,-created_at`: fields the member can see, by their own value (no path through references). */
export function parseSort(
  text: string | undefined,
  access: EntityAccess,
  fallback: string | undefined,
): SortKey[] {
  const source = text ?? fallback
  if (source === undefined || source === '') return []
  const parts = source.split(',')
  if (parts.length > 5) throw Invalid.field('sort', 'sort: at most 5 fields.', 'too_many')
  return parts.map((part) => {
    const descending = part.startsWith('-')
    const name = descending ? part.slice(1) : part
    const field = name.length <= 130 ? resolveField(name, access.visible, false) : undefined
    if (!field || UNSORTABLE.has(field.meta.type))
      throw Invalid.field(
        'sort',
        `sort: ${JSON.stringify(name.slice(0, 130))} is not a field you can sort by.`,
        'unknown_field',
      )
    return { field, descending }
  })
}

/** The client's filter, checked against the fields the member can see and scoped through references. */
export function clientFilter(
  ctx: EntityContext,
  access: EntityAccess,
  text: string | undefined,
): Expression<SqlBool> | undefined {
  if (text === undefined || text === '') return undefined
  return filterExpression(text, access.visible, {
    alias: 't',
    context: access.scopes.context,
    scope: referenceScope(ctx, access),
  })
}

/**
 * Inside a filter's path through a reference, only the target rows the member may see count
 * (record rules, and the company scope of company-scoped targets), so a filter cannot probe them.
 */
export function referenceScope(ctx: EntityContext, access: EntityAccess) {
  return (target: EntityMetadata, alias: string): Expression<SqlBool> => {
    const parts: Expression<SqlBool>[] = [access.scopes.condition(target, alias)]
    if (target.fields.company_id?.type === 'reference') parts.push(companyCondition(ctx, alias))
    if (target.table === 'records') parts.push(sql<SqlBool>`${sql.ref(`${alias}.entity`)} = ${target.name}`)
    return sql<SqlBool>`(${sql.join(parts, sql` and `)})`
  }
}

/** `q=`: any search field containing the text, case-insensitively. */
export function quickSearch(access: EntityAccess, q: string | undefined): Expression<SqlBool> | undefined {
  if (q === undefined || q.trim() === '') return undefined
  if (q.length > 200) throw Invalid.field('q', 'q: at most 200 characters.', 'too_long')
  const names = access.model.definition.search ?? (access.model.display ? [access.model.display] : [])
  const fields = names
    .map((n) => resolveField(n, access.visible, false))
    .filter((f): f is ResolvedField => !!f)
  if (fields.length === 0) return sql<SqlBool>`false`
  const pattern = `%${q.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`
  return sql<SqlBool>`(${sql.join(
    fields.map((f) => sql`(${valueSql(f, 't')})::text ilike ${pattern} escape ${sql.lit('\\')}`),
    sql` or `,
  )})`
}

/** The sort key's value as text, what a cursor carries (text keeps timestamps' microseconds). */
export function sortValueSql(key: SortKey): RawBuilder<unknown> {
  return sql`(${valueSql(key.field, 't')})::text`
}

export function orderBySql(keys: readonly SortKey[]): RawBuilder<unknown> {
  const parts = keys.map((k) => sql`${valueSql(k.field, 't')} ${sql.raw(k.descending ? 'desc' : 'asc')}`)
  return sql.join([...parts, sql`${sql.ref('t.id')} asc`])
}

/**
 * Rows after the cursor's row in the sort order. PostgreSQL sorts nulls as larger than any value
 * (last ascending, first descending); the comparisons below follow that rule, so keyset paging
 * never skips or repeats a row whatever the nulls.
 */
export function afterCursorSql(
  keys: readonly SortKey[],
  values: readonly (string | null)[],
  id: string,
): RawBuilder<SqlBool> {
  const expr = (k: SortKey) => valueSql(k.field, 't')
  const bound = (k: SortKey, v: string) => sql`${v}::${sql.raw(SQL_TYPES[k.field.meta.type])}`
  const equal = (k: SortKey, v: string | null) =>
    v === null ? sql`${expr(k)} is null` : sql`${expr(k)} = ${bound(k, v)}`
  const after = (k: SortKey, v: string | null): RawBuilder<unknown> => {
    if (!k.descending)
      return v === null ? sql`false` : sql`(${expr(k)} > ${bound(k, v)} or ${expr(k)} is null)`
    return v === null ? sql`${expr(k)} is not null` : sql`${expr(k)} < ${bound(k, v)}`
  }
  const branches: RawBuilder<unknown>[] = []
  keys.forEach((key, i) => {
    const prefix = keys.slice(0, i).map((k, j) => equal(k, values[j] ?? null))
    branches.push(sql`(${sql.join([...prefix, after(key, values[i] ?? null)], sql` and `)})`)
  })
  const ties = keys.map((k, j) => equal(k, values[j] ?? null))
  branches.push(sql`(${sql.join([...ties, sql`${sql.ref('t.id')} > ${id}::uuid`], sql` and `)})`)
  return sql<SqlBool>`(${sql.join(branches, sql` or `)})`
}

interface Cursor {
  s: string
  v: (string | null)[]
  id: string
}

/** An opaque cursor: the last row's sort values and id, tied to the sort it was made for. */
export function encodeCursor(sort: string, values: (string | null)[], id: string): string {
  return Buffer.from(JSON.stringify({ s: sort, v: values, id } satisfies Cursor)).toString('base64url')
}

export function decodeCursor(text: string, sort: string, keys: number): Cursor {
  const invalid = () =>
    Invalid.field('cursor', 'cursor: not a cursor of this list (it depends on the sort).', 'invalid_cursor')
  if (text.length > 4000) throw invalid()
  let cursor: Cursor
  try {
    cursor = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'))
  } catch {
    throw invalid()
  }
  const ok =
    typeof cursor === 'object' &&
    cursor !== null &&
    cursor.s === sort &&
    Array.isArray(cursor.v) &&
    cursor.v.length === keys &&
    cursor.v.every((v) => v === null || (typeof v === 'string' && v.length <= 1000)) &&
    typeof cursor.id === 'string' &&
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(cursor.id)
  if (!ok) throw invalid()
  return cursor
}
