import { assertCan } from '../access/can.ts'
import type { EntityContext } from '../entities/context.ts'
import type { EntityModel } from '../entities/model.ts'
import { loadAccess, permissionOf } from '../entities/store/access.ts'
import { type ListQuery, MAX_LIMIT } from '../entities/store/query.ts'
import { type ListResult, listRecords } from '../entities/store/read.ts'
import { BusinessRule } from '../errors/errors.ts'
import type { Cell } from './cells.ts'
import { exportColumns } from './columns.ts'

export const MAX_EXPORT_ROWS = 100_000

/** What a list export takes: the list's own filter, sort and quick search, and its columns. */
export interface ExportQuery {
  filter?: string
  sort?: string
  q?: string
  /** the columns, comma-separated API names; default: every field the member sees that fits a cell */
  fields?: string
  include_archived?: boolean
}

export interface OpenExport {
  headers: string[]
  /** how many rows the export holds */
  count: number
  /** the rows, page by page as read (each page one list query after the previous one's cursor) */
  rows: AsyncIterable<Cell[]>
}

/**
 * Starts an export of a list: needs the entity's `export` right on top of `read`, and reads
 * through listRecords, so the member's record rules, company scope and field masks apply exactly
 * as in the list; a hidden field cannot be a column. Everything the client sent is checked and the
 * first page read before this returns, so a bad filter is a 400 before a byte is sent.
 */
export async function openExport(
  ctx: EntityContext,
  model: EntityModel,
  query: ExportQuery,
): Promise<OpenExport> {
  assertCan(ctx.actor, permissionOf(model, 'export'))
  const list: ListQuery = {
    ...(query.filter !== undefined ? { filter: query.filter } : {}),
    ...(query.sort !== undefined ? { sort: query.sort } : {}),
    ...(query.q !== undefined ? { q: query.q } : {}),
    include_archived: query.include_archived === true,
    limit: MAX_LIMIT,
  }
  const first = await listRecords(ctx, model, { ...list, count: true })
  const columns = exportColumns(await loadAccess(ctx, model), query.fields)
  const count = first.count ?? 0
  if (count > MAX_EXPORT_ROWS)
    throw new BusinessRule(
      'export_too_large',
      `The list has ${count} rows; an export holds at most ${MAX_EXPORT_ROWS}. Narrow it with a filter.`,
    )
  async function* rows(): AsyncGenerator<Cell[]> {
    let page: ListResult = first
    for (;;) {
      for (const record of page.data) yield columns.map((c) => c.cell(record))
      if (!page.next_cursor) return
      page = await listRecords(ctx, model, { ...list, cursor: page.next_cursor })
    }
  }
  return { headers: columns.map((c) => c.header), count, rows: rows() }
}
