import type { Readable } from 'node:stream'
import { sql } from 'kysely'
import { isUuid } from '../db/tenant.ts'
import { Invalid, NotFound } from '../errors/errors.ts'
import type { Actor } from '../identity/authenticate.ts'
import { recordFileChange } from './changes.ts'
import {
  checkTarget,
  currentFiles,
  type FileInfo,
  type FilesContext,
  type FileVersionInfo,
  findFile,
  inTenant,
  targetNotFound,
  toFileInfo,
  toVersionInfo,
} from './rows.ts'
import { filesTx } from './tables.ts'
import { assertRecordAccess, type FileTarget } from './target.ts'

export const DEFAULT_FILE_PAGE = 100
export const MAX_FILE_PAGE = 500

export interface FilePage<T> {
  data: T[]
  next_cursor: string | null
}

export interface FileListQuery {
  limit?: number
  /** the last file id of the previous page */
  cursor?: string
  include_archived?: boolean
}

/** A record's files, oldest first; archived ones only when asked. Needs read access to the record. */
export async function listFiles(
  files: FilesContext,
  actor: Actor,
  target: FileTarget,
  query: FileListQuery = {},
): Promise<FilePage<FileInfo>> {
  checkTarget(target)
  const limit = pageSize(query.limit)
  if (query.cursor !== undefined && !isUuid(query.cursor))
    throw Invalid.field('cursor', 'cursor must be the next_cursor of a previous page.', 'invalid_cursor')
  return inTenant(files, actor, async (ctx) => {
    await assertRecordAccess(ctx, target, 'read', targetNotFound)
    let rows = currentFiles(ctx.db)
      .where('f.entity', '=', target.entity)
      .where('f.record_id', '=', target.recordId)
      .orderBy('f.id')
      .limit(limit + 1)
    if (!query.include_archived) rows = rows.where('f.archived_at', 'is', null)
    if (query.cursor !== undefined) rows = rows.where('f.id', '>', query.cursor)
    return page((await rows.execute()).map(toFileInfo), limit, (f) => f.id)
  })
}

/** One file with its current version; archived files stay readable by id. */
export function getFile(files: FilesContext, actor: Actor, id: string): Promise<FileInfo> {
  return inTenant(files, actor, async (ctx) => {
    const row = await findFile(ctx, id, 'read')
    return toFileInfo(await currentFiles(ctx.db).where('f.id', '=', row.id).executeTakeFirstOrThrow())
  })
}

/** A file's versions, newest first; `cursor` is the last version number of the previous page. */
export function listVersions(
  files: FilesContext,
  actor: Actor,
  id: string,
  query: { limit?: number; cursor?: string } = {},
): Promise<FilePage<FileVersionInfo>> {
  const limit = pageSize(query.limit)
  const before = query.cursor === undefined ? undefined : Number(query.cursor)
  if (before !== undefined && !(Number.isInteger(before) && before >= 1))
    throw Invalid.field('cursor', 'cursor must be the next_cursor of a previous page.', 'invalid_cursor')
  return inTenant(files, actor, async (ctx) => {
    const file = await findFile(ctx, id, 'read')
    let rows = filesTx(ctx.db)
      .selectFrom('file_versions')
      .selectAll()
      .where('file_id', '=', file.id)
      .orderBy('version', 'desc')
      .limit(limit + 1)
    if (before !== undefined) rows = rows.where('version', '<', before)
    return page((await rows.execute()).map(toVersionInfo), limit, (v) => String(v.version))
  })
}

/** A version's bytes and what to serve them as. */
export interface FileContent {
  version: FileVersionInfo
  content: Readable
}

/**
 * The bytes of one version (the current one by default), after checking, in this request, that
 * the member may read the file's record. The transaction ends before the bytes are streamed.
 */
export async function openFileContent(
  files: FilesContext,
  actor: Actor,
  id: string,
  version?: number,
): Promise<FileContent> {
  const found = await inTenant(files, actor, async (ctx) => {
    const file = await findFile(ctx, id, 'read')
    const row = await filesTx(ctx.db)
      .selectFrom('file_versions')
      .selectAll()
      .where('file_id', '=', file.id)
      .where('version', '=', version ?? file.current_version)
      .executeTakeFirst()
    if (!row) throw NotFound.field('version', 'This file has no such version.', 'version_not_found')
    return row
  })
  return { version: toVersionInfo(found), content: await files.storage.get(found.storage_key) }
}

/**
 * DELETE archives: the file leaves the record's list, its versions and bytes are kept (history,
 * audit), and it stays readable by id. Needs update access to the record. Archiving twice is a no-op;
 * the first is audited and evented (`kernel.file.archived`) in its transaction.
 */
export function archiveFile(
  files: FilesContext,
  actor: Actor,
  id: string,
  requestId?: string,
): Promise<void> {
  return inTenant(
    files,
    actor,
    async (ctx) => {
      const file = await findFile(ctx, id, 'update', true)
      if (file.archived_at !== null) return
      const current = () => currentFiles(ctx.db).where('f.id', '=', file.id).executeTakeFirstOrThrow()
      const before = toFileInfo(await current())
      await filesTx(ctx.db)
        .updateTable('files')
        .set({ archived_at: sql<Date>`now()`, updated_at: sql<Date>`now()`, updated_by: actor.userId })
        .where('id', '=', file.id)
        .execute()
      await recordFileChange(ctx, 'archive', before, toFileInfo(await current()))
    },
    requestId,
  )
}

function pageSize(limit: number | undefined): number {
  const size = limit ?? DEFAULT_FILE_PAGE
  if (!Number.isInteger(size) || size < 1 || size > MAX_FILE_PAGE)
    throw Invalid.field('limit', `limit must be an integer from 1 to ${MAX_FILE_PAGE}.`, 'out_of_range')
  return size
}

function page<T>(rows: T[], limit: number, cursorOf: (row: T) => string): FilePage<T> {
  const data = rows.slice(0, limit)
  const last = data[data.length - 1]
  return { data, next_cursor: rows.length > limit && last ? cursorOf(last) : null }
}
