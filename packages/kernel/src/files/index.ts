/**
 * Files attached to records (issue 6, item 8): uploads with versions, stored through a
 * FileStorage under keys made of ids, typed by sniffing, and reachable only through the access
 * checks of the record they hang on.
 */
export { FILE_ENTITY, type FileAction } from './changes.ts'
export { MAX_NAME_BYTES, sanitiseFileName } from './file-name.ts'
export { localFileStorage } from './local-storage.ts'
export {
  archiveFile,
  DEFAULT_FILE_PAGE,
  type FileContent,
  type FileListQuery,
  type FilePage,
  getFile,
  listFiles,
  listVersions,
  MAX_FILE_PAGE,
  openFileContent,
} from './read.ts'
export type { FileInfo, FilesContext, FileVersionInfo } from './rows.ts'
export { SNIFF_BYTES, sniffContentType } from './sniff.ts'
export { type FileStorage, STORAGE_KEY, type StoredContent, storageKey } from './storage.ts'
export type { FilesTable, FileTables, FileVersionsTable } from './tables.ts'
export type { FileTarget } from './target.ts'
export { type UploadInput, uploadFile, uploadVersion } from './upload.ts'
export { FileTooLarge } from './upload-stream.ts'
