import { type Expression, type SqlBool, sql } from 'kysely'
import { can } from '../../access/can.ts'
import { Invalid, NotFound } from '../../errors/errors.ts'
import type { EntityContext } from '../context.ts'
import type { EntityModel, FieldModel } from '../model.ts'
import { type EntityAccess, entityAccess, loadAccess, modelOf, permissionOf } from './access.ts'
import { currencyUnits } from './currencies.ts'
import {
  afterCursorSql,
  clientFilter,
  DEFAULT_LIMIT,
  decodeCursor,
  encodeCursor,
  type ListQuery,
  MAX_LIMIT,
  orderBySql,
  parseSort,
  quickSearch,
  sortValueSql,
} from './query.ts'
import { type JsonRecord, pick, present, type Row, rowToRecord } from './rows.ts'

export interface ListResult {
  data: JsonRecord[]
  next_cursor: string | null
  count?: number
}

const isArchivable = (model: EntityModel) => model.definition.archivable === true || model.isCustomEntity

/** GET /{resource}: a page of the rows the member may see, filtered, sorted and shaped. */
export async function listRecords(
  ctx: EntityContext,
  model: EntityModel,
  query: ListQuery,
): Promise<ListResult> {
  const access = await entityAccess(ctx, model, 'read')
  const limit = query.limit ?? DEFAULT_LIMIT
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    throw Invalid.field('limit', `limit must be an integer from 1 to ${MAX_LIMIT}.`, 'out_of_range')
  const fields = parseFields(access, query.fields)
  const include = parseInclude(access, query.include)
  const sortText = query.sort ?? model.definition.sort ?? ''
  const keys = parseSort(sortText, access, undefined)
  const where: Expression<SqlBool>[] = [access.rows('t')]
  if (isArchivable(model) && !query.include_archived) where.push(sql<SqlBool>`t.archived_at is null`)
  const filter = clientFilter(ctx, access, query.filter)
  if (filter) where.push(filter)
  const search = quickSearch(access, query.q)
  if (search) where.push(search)
  const page = [...where]
  if (query.cursor !== undefined) {
    const cursor = decodeCursor(query.cursor, sortText, keys.length)
    page.push(afterCursorSql(keys, cursor.v, cursor.id))
  }
  const sortColumns = keys.map((k, i) => sql`${sortValueSql(k)} as ${sql.id(`__sort${i}`)}`)
  const { rows } = await sql<Row>`
    select t.*${sortColumns.length ? sql`, ${sql.join(sortColumns)}` : sql``}
    from ${sql.table(model.table)} as t
    where ${sql.join(page, sql` and `)}
    order by ${orderBySql(keys)}
    limit ${limit + 1}`.execute(ctx.db)
  const more = rows.length > limit
  const pageRows = rows.slice(0, limit)
  const last = pageRows[pageRows.length - 1]
  const result: ListResult = {
    data: await shape(ctx, access, pageRows, include, fields),
    next_cursor:
      more && last
        ? encodeCursor(
            sortText,
            keys.map((_, i) => (last[`__sort${i}`] ?? null) as string | null),
            last.id as string,
          )
        : null,
  }
  if (query.count) {
    const { rows: counted } = await sql<{ n: string }>`
      select count(*) as n from ${sql.table(model.table)} as t where ${sql.join(where, sql` and `)}`.execute(
      ctx.db,
    )
    result.count = Number(counted[0]?.n ?? 0)
  }
  return result
}

/** GET /{resource}/{id}: one row the member may see, or 404 (also for another tenant's id). */
export async function getRecord(
  ctx: EntityContext,
  model: EntityModel,
  id: string,
  query: Pick<ListQuery, 'fields' | 'include'> = {},
): Promise<JsonRecord> {
  const access = await entityAccess(ctx, model, 'read')
  const fields = parseFields(access, query.fields)
  const include = parseInclude(access, query.include)
  const row = await findRow(ctx, access, id)
  const [record] = await shape(ctx, access, [row], include, fields)
  return record as JsonRecord
}

/** The stored row, if the member may see it; `lock` takes it for update. */
export async function findRow(
  ctx: EntityContext,
  access: EntityAccess,
  id: string,
  lock = false,
): Promise<Row> {
  if (!UUID.test(id)) throw notFound(access.model)
  const { rows } = await sql<Row>`
    select t.* from ${sql.table(access.model.table)} as t
    where t.id = ${id}::uuid and ${access.rows('t')}
    ${lock ? sql`for update` : sql``}`.execute(ctx.db)
  if (!rows[0]) throw notFound(access.model)
  return rows[0]
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
export const notFound = (model: EntityModel) =>
  new NotFound(`There is no ${model.label.toLowerCase()} with this id.`)

/** Rows as records: links, computed fields, includes, masks and `fields=`. */
export async function shape(
  ctx: EntityContext,
  access: EntityAccess,
  rows: readonly Row[],
  include: readonly FieldModel[] = [],
  fields?: readonly string[],
): Promise<JsonRecord[]> {
  const { model } = access
  const links = await loadLinks(
    ctx,
    model,
    rows.map((r) => r.id as string),
  )
  const units = await currencyUnits(ctx)
  const records = rows.map((row) => rowToRecord(model, row, links, units))
  for (const field of include) await includeField(ctx, field, records)
  return records.map((record) => pick(present(access, record), fields))
}

async function loadLinks(
  ctx: EntityContext,
  model: EntityModel,
  ids: string[],
): Promise<Map<string, string[]>> {
  const linked = Object.values(model.fields).filter((f) => f.storage.kind === 'links')
  const links = new Map<string, string[]>()
  if (linked.length === 0 || ids.length === 0) return links
  const { rows } = await sql<{ field: string; record_id: string; target_id: string }>`
    select field, record_id, target_id from entity_links
    where entity = ${model.key} and record_id in (${sql.join(ids.map((id) => sql`${id}::uuid`))})
    order by position, target_id`.execute(ctx.db)
  for (const row of rows) {
    const key = `${row.field}:${row.record_id}`
    links.set(key, [...(links.get(key) ?? []), row.target_id])
  }
  return links
}

/**
 * `include=`: a reference becomes the referenced record, many-to-many ids become records, and
 * children are listed — each through the target's own rights, record rules and masks. A target
 * row the member may not see stays an id (a reference) or is left out (links, children).
 */
async function includeField(ctx: EntityContext, field: FieldModel, records: JsonRecord[]): Promise<void> {
  const target = await modelOf(ctx, field.definition.target as string)
  // a target the member may not read at all stays ids (references, links) or is left out (lines)
  if (!target || !can(ctx.actor, permissionOf(target, 'read'))) return
  const access = await loadAccess(ctx, target)
  if (field.definition.type === 'children') {
    const inverse = target.fields[field.definition.inverse as string]
    if (inverse?.storage.kind !== 'column' || records.length === 0) return
    const ids = records.map((r) => sql`${r.id as string}::uuid`)
    const { rows } = await sql<Row>`
      select t.* from ${sql.table(target.table)} as t
      where ${sql.ref(`t.${inverse.storage.column}`)} in (${sql.join(ids)}) and ${access.rows('t')}
      order by t.id`.execute(ctx.db)
    const lines = await shape(ctx, access, rows)
    for (const record of records) record[field.name] = lines.filter((l) => l[inverse.name] === record.id)
    return
  }
  const ids = [
    ...new Set(
      records.flatMap((r) =>
        field.definition.type === 'reference' ? [r[field.name]] : (r[field.name] as string[]),
      ),
    ),
  ].filter((id): id is string => typeof id === 'string')
  if (ids.length === 0) return
  const { rows } = await sql<Row>`
    select t.* from ${sql.table(target.table)} as t
    where t.id in (${sql.join(ids.map((id) => sql`${id}::uuid`))}) and ${access.rows('t')}`.execute(ctx.db)
  const byId = new Map((await shape(ctx, access, rows)).map((r) => [r.id as string, r]))
  for (const record of records) {
    const value = record[field.name]
    if (field.definition.type === 'reference')
      record[field.name] = (typeof value === 'string' && byId.get(value)) || value
    else record[field.name] = (value as string[]).flatMap((id) => byId.get(id) ?? [])
  }
}

/** `fields=`: names the member can see (top-level; `custom` for every custom field). */
function parseFields(access: EntityAccess, text: string | undefined): string[] | undefined {
  if (text === undefined || text === '') return undefined
  const names = text.split(',')
  const known = new Set([
    ...Object.keys(access.visible.fields),
    ...Object.keys(access.model.fields),
    'custom',
  ])
  const bad = names.find((n) => !known.has(n) || access.fields.hidden.has(n))
  if (bad !== undefined || names.length > 100)
    throw Invalid.field(
      'fields',
      `fields: ${JSON.stringify((bad ?? '').slice(0, 100))} is not a field of this entity.`,
      'unknown_field',
    )
  return names
}

/** `include=`: reference, many-to-many and children fields the member can see and whose target they may read. */
function parseInclude(access: EntityAccess, text: string | undefined): FieldModel[] {
  if (text === undefined || text === '') return []
  const names = [...new Set(text.split(','))]
  if (names.length > 10) throw Invalid.field('include', 'include: at most 10 fields.', 'too_many')
  return names.map((name) => {
    const field = Object.hasOwn(access.model.fields, name) ? access.model.fields[name] : undefined
    const includable = field && ['reference', 'many_to_many', 'children'].includes(field.definition.type)
    if (!field || !includable || access.fields.hidden.has(name))
      throw Invalid.field(
        'include',
        `include: ${JSON.stringify(name.slice(0, 100))} is not a reference or lines field.`,
        'unknown_field',
      )
    return field
  })
}
