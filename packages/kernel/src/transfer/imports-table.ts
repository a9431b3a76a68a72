import type { ColumnType, Selectable } from 'kysely'
import type { Tx } from '../db/schema.ts'
import type { ImportRowError } from './import.ts'
import type { ImportFormat } from './table.ts'

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>

export const IMPORT_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const
export type ImportStatus = (typeof IMPORT_STATUSES)[number]

/** Why an import failed before it got to its rows (rights gone, mapping no longer valid, ...). */
export interface ImportFailure {
  code: string
  message: string
}

/** An import run as a job (migration 0019_imports.sql). */
export interface ImportsTable {
  tenant_id: string
  id: string
  entity: string
  status: ColumnType<ImportStatus, ImportStatus | undefined, ImportStatus>
  format: ImportFormat
  /** JSON text on insert; jsonb comes back parsed */
  mapping: ColumnType<Record<string, string | null> | null, string | null, string | null>
  file: ColumnType<Buffer | null, Buffer, null>
  total_rows: number
  processed_rows: ColumnType<number, number | undefined, number>
  created_rows: ColumnType<number, number | undefined, number>
  invalid_rows: ColumnType<number, number | undefined, number>
  errors: ColumnType<ImportRowError[], string | undefined, string>
  errors_truncated: ColumnType<boolean, boolean | undefined, boolean>
  failure: ColumnType<ImportFailure | null, string | null | undefined, string | null>
  created_by: string
  api_key_id: string | null
  request_id: string | null
  created_at: ColumnType<Date, Date | string | undefined, never>
  updated_at: Timestamp
  started_at: NullableTimestamp
  finished_at: NullableTimestamp
}

export type ImportRow = Selectable<ImportsTable>

// a type, not an interface: Kysely's withTables wants an indexable record
export type ImportTables = { imports: ImportsTable }

/** The transaction, seeing the imports table too; a no-op at run time. */
export function importsTx(trx: Tx) {
  return trx.withTables<ImportTables>()
}
