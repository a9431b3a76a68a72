import type { Readable } from 'node:stream'
import type { Tx } from '../db/schema.ts'
import { BusinessRule, Invalid } from '../errors/errors.ts'
import type { Actor } from '../identity/authenticate.ts'
import { newId } from '../ids.ts'
import { recordFileChange } from './changes.ts'
import { sanitiseFileName } from './file-name.ts'
import {
  checkTarget,
  currentFiles,
  type FileInfo,
  type FilesContext,
  findFile,
  inTenant,
  targetNotFound,
  toFileInfo,
} from './rows.ts'
import { sniffContentType } from './sniff.ts'
import { storageKey } from './storage.ts'
import { filesTx } from './tables.ts'
import { assertRecordAccess, type FileTarget } from './target.ts'
import { FileTooLarge, limitUpload } from './upload-stream.ts'

/** The bytes of an upload, and what the client said about them. */
export interface UploadInput {
  content: Readable
  /** the client's name for the file; sanitised, and never used as a path; required for a new file */
  name: string | undefined
  /** the size the client announced (Content-Length), refused at once when over the limit */
  declaredSize?: number
}

/** What storing an upload produced. */
interface StoredBlob {
  key: string
  size: number
  sha256: string
  contentType: string
}

/**
 * Attaches a new file to a record: the member needs the entity's update right and must see the
 * record. The rows, the audit row and the `kernel.file.uploaded` event commit together. The access check runs before any byte is read and again when the rows are written; no
 * transaction stays open while the bytes arrive (a slow upload must not hold the database).
 */
export async function uploadFile(
  files: FilesContext,
  actor: Actor,
  target: FileTarget,
  input: UploadInput,
  requestId?: string,
): Promise<FileInfo> {
  checkTarget(target)
  await inTenant(files, actor, (ctx) => assertRecordAccess(ctx, target, 'update', targetNotFound))
  // asked after the rights: a member without them learns nothing from what the request lacks
  if (input.name === undefined)
    throw Invalid.field('filename', 'Name the file: filename is required.', 'required')
  const name = sanitiseFileName(input.name)
  const fileId = newId()
  const blob = await store(files, storageKey(actor.tenantId, fileId, newId()), input, name)
  return keepIfRecorded(files, actor, blob, () =>
    inTenant(
      files,
      actor,
      async (ctx) => {
        await assertRecordAccess(ctx, target, 'update', targetNotFound)
        await filesTx(ctx.db)
          .insertInto('files')
          .values({
            tenant_id: actor.tenantId,
            id: fileId,
            entity: target.entity,
            record_id: target.recordId,
            name,
            current_version: 1,
            created_by: actor.userId,
            updated_by: actor.userId,
          })
          .execute()
        await insertVersion(ctx.db, actor, fileId, 1, name, blob)
        const file = toFileInfo(
          await currentFiles(ctx.db).where('f.id', '=', fileId).executeTakeFirstOrThrow(),
        )
        await recordFileChange(ctx, 'upload', undefined, file)
        return file
      },
      requestId,
    ),
  )
}

/**
 * Adds a version to a file; the earlier ones stay downloadable. Without a name the version keeps
 * the file's. An archived file takes no new version (422). Versions are numbered under the file
 * row's lock, so two uploads at once get 2 and 3, never 2 twice.
 */
export async function uploadVersion(
  files: FilesContext,
  actor: Actor,
  fileId: string,
  input: UploadInput,
  requestId?: string,
): Promise<FileInfo> {
  const current = await inTenant(files, actor, (ctx) => findFile(ctx, fileId, 'update'))
  assertNotArchived(current)
  const name = input.name === undefined ? current.name : sanitiseFileName(input.name)
  const blob = await store(files, storageKey(actor.tenantId, current.id, newId()), { ...input, name }, name)
  return keepIfRecorded(files, actor, blob, () =>
    inTenant(
      files,
      actor,
      async (ctx) => {
        const row = await findFile(ctx, fileId, 'update', true)
        assertNotArchived(row)
        const before = toFileInfo(
          await currentFiles(ctx.db).where('f.id', '=', row.id).executeTakeFirstOrThrow(),
        )
        const version = row.current_version + 1
        await insertVersion(ctx.db, actor, row.id, version, name, blob)
        await filesTx(ctx.db)
          .updateTable('files')
          .set({ current_version: version, name, updated_at: new Date(), updated_by: actor.userId })
          .where('id', '=', row.id)
          .execute()
        const file = toFileInfo(
          await currentFiles(ctx.db).where('f.id', '=', row.id).executeTakeFirstOrThrow(),
        )
        await recordFileChange(ctx, 'version', before, file)
        return file
      },
      requestId,
    ),
  )
}

function assertNotArchived(row: { archived_at: Date | null }): void {
  if (row.archived_at !== null)
    throw new BusinessRule('file_archived', 'This file is archived: it takes no new version.')
}

/** Streams the upload into storage under `key`: limited in size, hashed, its type sniffed. */
async function store(
  files: FilesContext,
  key: string,
  input: UploadInput,
  name: string,
): Promise<StoredBlob> {
  if (input.declaredSize !== undefined && input.declaredSize > files.limit)
    throw new FileTooLarge(files.limit)
  const upload = limitUpload(input.content, files.limit)
  const stored = await files.storage.put(key, upload.stream)
  if (stored.size === 0) {
    await files.storage.delete(key)
    throw Invalid.field('file', 'The file is empty.', 'empty_file')
  }
  return { key, ...stored, contentType: sniffContentType(upload.head(), name) }
}

function insertVersion(
  trx: Tx,
  actor: Actor,
  fileId: string,
  version: number,
  name: string,
  blob: StoredBlob,
) {
  return filesTx(trx)
    .insertInto('file_versions')
    .values({
      tenant_id: actor.tenantId,
      file_id: fileId,
      version,
      name,
      size: blob.size,
      content_type: blob.contentType,
      sha256: blob.sha256,
      storage_key: blob.key,
      created_by: actor.userId,
    })
    .execute()
}

/**
 * Runs the write that records a stored blob. If it fails, the blob goes unless a version row
 * names it after all (the commit may have succeeded before the error reached us); a blob left
 * behind when even that check fails is unreferenced, never served, and only takes space.
 */
async function keepIfRecorded<T>(
  files: FilesContext,
  actor: Actor,
  blob: StoredBlob,
  write: () => Promise<T>,
): Promise<T> {
  try {
    return await write()
  } catch (err) {
    const recorded = await inTenant(files, actor, async (ctx) =>
      Boolean(
        await filesTx(ctx.db)
          .selectFrom('file_versions')
          .select('version')
          .where('storage_key', '=', blob.key)
          .executeTakeFirst(),
      ),
    ).catch(() => true)
    if (!recorded) await files.storage.delete(blob.key)
    throw err
  }
}
