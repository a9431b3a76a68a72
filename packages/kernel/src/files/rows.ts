import type { Selectable } from 'kysely'
import type { Db, Tx } from '../db/schema.ts'
import { isUuid, withTenant } from '../db/tenant.ts'
import { type EntityContext, entityContext } from '../entities/context.ts'
import { Invalid, NotFound } from '../errors/errors.ts'
import type { Actor } from '../identity/authenticate.ts'
import type { FileStorage } from './storage.ts'
import { type FilesTable, type FileVersionsTable, filesTx } from './tables.ts'
import { assertRecordAccess, type FileTarget } from './target.ts'

/** What the file operations share: the database, where contents live, and the size limit. */
export interface FilesContext {
  db: Db
  storage: FileStorage
  /** the largest file accepted, in bytes (TESSERA_FILE_LIMIT) */
  limit: number
}

/** A file as the API shows it: the file and its current version. */
export interface FileInfo {
  id: string
  entity: string
  record_id: string
  name: string
  current_version: number
  size: number
  content_type: string
  sha256: string
  created_at: string
  created_by: string | null
  updated_at: string
  updated_by: string | null
  archived_at: string | null
}

/** One version of a file. Where its bytes are stored is not shown. */
export interface FileVersionInfo {
  file_id: string
  version: number
  name: string
  size: number
  content_type: string
  sha256: string
  created_at: string
  created_by: string | null
}

export type FileRow = Selectable<FilesTable>
export type VersionRow = Selectable<FileVersionsTable>

const ENTITY_KEY = /^[a-z][a-z0-9_]{0,39}\.[a-z][a-z0-9_]{0,62}$/

export const fileNotFound = () => new NotFound('There is no file with this id.')
/** The 404 of an upload or list naming an entity or record the member cannot reach. */
export const targetNotFound = (what: 'entity' | 'record') =>
  what === 'entity'
    ? NotFound.field('entity', 'There is no entity with this key.', 'not_found')
    : NotFound.field('record_id', 'There is no record with this id that you may see.', 'not_found')

/** Runs `fn` in the actor's tenant transaction, with an entity context for access checks. */
export function inTenant<T>(
  files: FilesContext,
  actor: Actor,
  fn: (ctx: EntityContext) => Promise<T>,
  requestId?: string,
): Promise<T> {
  return withTenant(files.db, actor.tenantId, (trx) => fn(entityContext(trx, actor, requestId)))
}

/** 400 naming the field when the target is malformed; the route's schema says the same first. */
export function checkTarget(target: FileTarget): void {
  if (!ENTITY_KEY.test(target.entity))
    throw Invalid.field('entity', 'entity must be an entity key, e.g. "sales.order".', 'invalid_entity')
  if (!isUuid(target.recordId)) throw Invalid.field('record_id', 'record_id must be a UUID.', 'invalid_uuid')
}

/**
 * The file `id` if the member may `action` its record; 404 alike for a file that does not exist,
 * belongs to another tenant, or hangs on a record they may not see. `lock` takes the row for update.
 */
export async function findFile(
  ctx: EntityContext,
  id: string,
  action: 'read' | 'update',
  lock = false,
): Promise<FileRow> {
  if (!isUuid(id)) throw fileNotFound()
  let query = filesTx(ctx.db).selectFrom('files').selectAll().where('id', '=', id)
  if (lock) query = query.forUpdate()
  const row = await query.executeTakeFirst()
  if (!row) throw fileNotFound()
  await assertRecordAccess(ctx, { entity: row.entity, recordId: row.record_id }, action, fileNotFound)
  return row
}

/** Files with their current version's size, type and hash. */
export function currentFiles(trx: Tx) {
  return filesTx(trx)
    .selectFrom('files as f')
    .innerJoin('file_versions as v', (join) =>
      join
        .onRef('v.tenant_id', '=', 'f.tenant_id')
        .onRef('v.file_id', '=', 'f.id')
        .onRef('v.version', '=', 'f.current_version'),
    )
    .selectAll('f')
    .select(['v.size', 'v.content_type', 'v.sha256'])
}

export function toFileInfo(row: FileRow & Pick<VersionRow, 'size' | 'content_type' | 'sha256'>): FileInfo {
  return {
    id: row.id,
    entity: row.entity,
    record_id: row.record_id,
    name: row.name,
    current_version: row.current_version,
    size: Number(row.size),
    content_type: row.content_type,
    sha256: row.sha256,
    created_at: iso(row.created_at),
    created_by: row.created_by,
    updated_at: iso(row.updated_at),
    updated_by: row.updated_by,
    archived_at: row.archived_at === null ? null : iso(row.archived_at),
  }
}

export function toVersionInfo(row: VersionRow): FileVersionInfo {
  return {
    file_id: row.file_id,
    version: row.version,
    name: row.name,
    size: Number(row.size),
    content_type: row.content_type,
    sha256: row.sha256,
    created_at: iso(row.created_at),
    created_by: row.created_by,
  }
}

const iso = (value: Date | string) => new Date(value).toISOString()
