import type { ColumnType } from 'kysely'
import type { Tx } from '../db/schema.ts'

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>

/** A file attached to a record (migration 0017_files.sql). */
export interface FilesTable {
  tenant_id: string
  id: string
  entity: string
  record_id: string
  name: string
  current_version: number
  created_at: ColumnType<Date, Date | string | undefined, never>
  updated_at: Timestamp
  created_by: string | null
  updated_by: string | null
  archived_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
}

/** One stored version of a file: written once, never changed. */
export interface FileVersionsTable {
  tenant_id: string
  file_id: string
  version: number
  name: string
  /** bigint: comes back as a string */
  size: ColumnType<string, number, never>
  content_type: string
  sha256: string
  storage_key: string
  created_by: string | null
  created_at: ColumnType<Date, Date | string | undefined, never>
}

// a type, not an interface: Kysely's withTables wants an indexable record
export type FileTables = { files: FilesTable; file_versions: FileVersionsTable }

/** The transaction, seeing the file tables too; a no-op at run time. */
export function filesTx(trx: Tx) {
  return trx.withTables<FileTables>()
}
