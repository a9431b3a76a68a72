import { can } from '../access/can.ts'
import type { Tx } from '../db/schema.ts'
import { isUuid } from '../db/tenant.ts'
import { Invalid, NotFound } from '../errors/errors.ts'
import type { Actor } from '../identity/authenticate.ts'
import type { ImportRowError } from './import.ts'
import { type ImportFailure, type ImportRow, type ImportStatus, importsTx } from './imports-table.ts'

/** An import run as a job, as GET /api/v1/imports shows it (never its file). */
export interface ImportView {
  id: string
  entity: string
  status: ImportStatus
  format: string
  mapping: Record<string, string | null> | null
  total_rows: number
  processed_rows: number
  created_rows: number
  invalid_rows: number
  errors: ImportRowError[]
  errors_truncated: boolean
  failure: ImportFailure | null
  created_by: string
  created_at: string
  updated_at: string
  started_at: string | null
  finished_at: string | null
}

export interface ImportPage {
  data: ImportView[]
  next_cursor: string | null
}

export const MAX_IMPORT_PAGE = 100

const VIEW_COLUMNS = [
  'id',
  'entity',
  'status',
  'format',
  'mapping',
  'total_rows',
  'processed_rows',
  'created_rows',
  'invalid_rows',
  'errors',
  'errors_truncated',
  'failure',
  'created_by',
  'created_at',
  'updated_at',
  'started_at',
  'finished_at',
] as const

const notFound = () => new NotFound('There is no import with this id.')

/**
 * An import, to the member who started it or to anyone holding its entity's import right; 404
 * alike for another tenant's id (row-level security), an unknown one, or one they may not see.
 */
export async function getImport(trx: Tx, actor: Actor, id: string): Promise<ImportView> {
  if (!isUuid(id)) throw notFound()
  const row = await importsTx(trx)
    .selectFrom('imports')
    .select(VIEW_COLUMNS)
    .where('id', '=', id)
    .executeTakeFirst()
  if (!row || !(row.created_by === actor.userId || can(actor, `${row.entity}:import`))) throw notFound()
  return toView(row)
}

/** The imports the member may see (see getImport), newest first; `entity` narrows to one entity. */
export async function listImports(
  trx: Tx,
  actor: Actor,
  query: { entity?: string; limit?: number; cursor?: string },
): Promise<ImportPage> {
  const limit = query.limit ?? 50
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_IMPORT_PAGE)
    throw Invalid.field('limit', `limit must be an integer from 1 to ${MAX_IMPORT_PAGE}.`, 'out_of_range')
  if (query.cursor !== undefined && !isUuid(query.cursor))
    throw Invalid.field('cursor', 'cursor must be the next_cursor of the previous page.', 'invalid_cursor')
  // the tenant's imported entities are few: which of them the member may import into decides
  const entities = await importsTx(trx).selectFrom('imports').select('entity').distinct().execute()
  const importable = entities.map((e) => e.entity).filter((entity) => can(actor, `${entity}:import`))
  let select = importsTx(trx)
    .selectFrom('imports')
    .select(VIEW_COLUMNS)
    .where((eb) =>
      importable.length > 0
        ? eb.or([eb('created_by', '=', actor.userId), eb('entity', 'in', importable)])
        : eb('created_by', '=', actor.userId),
    )
    .orderBy('id', 'desc')
    .limit(limit + 1)
  if (query.entity !== undefined) select = select.where('entity', '=', query.entity)
  if (query.cursor !== undefined) select = select.where('id', '<', query.cursor)
  const rows = await select.execute()
  const data = rows.slice(0, limit).map(toView)
  const last = data[data.length - 1]
  return { data, next_cursor: rows.length > limit && last ? last.id : null }
}

export function toView(row: Pick<ImportRow, (typeof VIEW_COLUMNS)[number]>): ImportView {
  const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString())
  return {
    ...row,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
    started_at: iso(row.started_at),
    finished_at: iso(row.finished_at),
  }
}
