import { type RawBuilder, sql } from 'kysely'
import { can } from '../access/can.ts'
import type { EntityContext } from '../entities/context.ts'
import { storedEntities } from '../entities/custom/rows.ts'
import { customPath } from '../entities/custom/views.ts'
import type { EntityModel } from '../entities/model.ts'
import { loadAccess, modelOf, permissionOf } from '../entities/store/access.ts'
import { Invalid } from '../errors/errors.ts'
import { type SearchField, searchFields } from './fields.ts'
import { snippetOf } from './snippet.ts'

export const MAX_SEARCH_LIMIT = 50
export const DEFAULT_SEARCH_LIMIT = 20
export const MAX_SEARCH_QUERY = 200
/**
 * pg_trgm: a display value counts as the name typed with a typo when it is similar to the whole
 * query, or one of its words is very similar to it (`widgit` finds "Blue widget").
 */
const TYPO_SIMILARITY = 0.3
const TYPO_WORD_SIMILARITY = 0.5
/** trigram matches rank below any word match: a word in a B field ranks about 0.24 */
const TYPO_WEIGHT = 0.1

export interface SearchQuery {
  q: string | undefined
  limit?: number | undefined
  /** the code entities to search: those of the tenant's active modules (custom entities are added) */
  entities: readonly string[]
}

export interface SearchHit {
  entity: string
  entity_label: string
  id: string
  /** the record's display value; null when the member may not see the display field */
  title: string | null
  /** the field the words were found in (the display field for a typo match) */
  field: string | null
  /** the start of that field's value, around the first word found */
  snippet: string | null
  rank: number
  path: string
}

interface HitRow {
  id: string
  title: string | null
  rank: number | string
  [column: string]: unknown
}

/**
 * GET /search: the records the member may read, across every entity they may read, whose search
 * fields hold the words of `q` (PostgreSQL full text: `websearch_to_tsquery`, the display field
 * weighted A and the other search fields B, ranked by `ts_rank`), or whose display value is close
 * to `q` despite a typo (pg_trgm `similarity`). Each entity's query goes through its access:
 * record rules, company scope and field masks, exactly like a list. Archived records are left out.
 */
export async function searchRecords(ctx: EntityContext, query: SearchQuery): Promise<SearchHit[]> {
  const q = checkQuery(query.q)
  const limit = checkLimit(query.limit)
  const keys = [...query.entities, ...(await storedEntities(ctx.db)).map((row) => row.key)]
  const hits: SearchHit[] = []
  for (const key of new Set(keys)) {
    const model = await modelOf(ctx, key)
    if (!model || model.definition.childOf || !can(ctx.actor, permissionOf(model, 'read'))) continue
    hits.push(...(await searchEntity(ctx, model, q, limit)))
  }
  return hits
    .sort((a, b) => b.rank - a.rank || a.entity.localeCompare(b.entity) || a.id.localeCompare(b.id))
    .slice(0, limit)
}

function checkQuery(q: string | undefined): string {
  const text = (q ?? '').trim()
  if (text === '') throw Invalid.field('q', 'q: say what to search for.', 'required')
  if (text.length > MAX_SEARCH_QUERY)
    throw Invalid.field('q', `q: at most ${MAX_SEARCH_QUERY} characters.`, 'too_long')
  return text
}

function checkLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_SEARCH_LIMIT
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_SEARCH_LIMIT)
    throw Invalid.field('limit', `limit must be an integer from 1 to ${MAX_SEARCH_LIMIT}.`, 'out_of_range')
  return limit
}

async function searchEntity(
  ctx: EntityContext,
  model: EntityModel,
  q: string,
  limit: number,
): Promise<SearchHit[]> {
  const access = await loadAccess(ctx, model)
  const { display, others } = searchFields(access)
  if (!display && others.length === 0) return []
  const empty = sql`''`
  const words = (fields: readonly SearchField[]) =>
    fields.length === 0 ? empty : sql`concat_ws(' ', ${sql.join(fields.map((f) => f.text))})`
  const name = display ? sql`coalesce(${display.text}, '')` : empty
  const doc = sql`setweight(to_tsvector('simple', ${name}), 'A') || setweight(to_tsvector('simple', ${words(others)}), 'B')`
  const similar = sql`similarity(s.name, ${q})`
  const wordSimilar = sql`word_similarity(${q}, s.name)`
  const typo: RawBuilder<unknown> = display ? sql`greatest(${similar}, ${wordSimilar})` : sql`0`
  const typoMatch = display
    ? sql`(${similar} > ${sql.lit(TYPO_SIMILARITY)} or ${wordSimilar} >= ${sql.lit(TYPO_WORD_SIMILARITY)})`
    : sql`false`
  const fields = display ? [display, ...others] : others
  const matched = fields.map(
    (f, i) => sql`coalesce(to_tsvector('simple', ${f.text}) @@ tsq, false) as ${sql.id(`m${i}`)}`,
  )
  const values = fields.map((f, i) => sql`${f.text} as ${sql.id(`v${i}`)}`)
  const archived =
    model.definition.archivable || model.isCustomEntity ? sql`and t.archived_at is null` : sql``
  const { rows } = await sql<HitRow>`
    select t.id::text as id, ${display ? display.text : sql`null`} as title,
      ts_rank(s.doc, tsq) + ${sql.lit(TYPO_WEIGHT)} * ${typo} as rank,
      ${sql.join([...values, ...matched])}
    from ${sql.table(model.table)} as t
      cross join websearch_to_tsquery('simple', ${q}) as tsq
      cross join lateral (select ${doc} as doc, ${name} as name) as s
    where ${access.rows('t')} ${archived}
      and (s.doc @@ tsq or ${typoMatch})
    order by rank desc, t.id
    limit ${limit}`.execute(ctx.db)
  return rows.map((row) => {
    const at = fields.findIndex((_, i) => row[`m${i}`] === true)
    const field = fields[at] ?? display
    const value = field ? (row[`v${fields.indexOf(field)}`] as string | null) : null
    return {
      entity: model.key,
      entity_label: model.label,
      id: row.id,
      title: row.title,
      field: field?.name ?? null,
      snippet: value === null ? null : snippetOf(value, q),
      rank: Math.round(Number(row.rank) * 1e6) / 1e6,
      path: `${model.isCustomEntity ? customPath(model.resource) : `/api/v1/${model.resource}`}/${row.id}`,
    }
  })
}
