/** Import and export of any entity's records as CSV or XLSX (issue 6, item 7). */
export { type Cell, escapeFormula } from './cells.ts'
export { csvField, csvRecord, writeCsv } from './csv-writer.ts'
export { type ExportQuery, MAX_EXPORT_ROWS, type OpenExport, openExport } from './export.ts'
export {
  type ImportInput,
  type ImportReport,
  type ImportRowError,
  importPrepared,
  importRecords,
  MAX_REPORTED_ERRORS,
  type PreparedImport,
  prepareImport,
  writeRows,
} from './import.ts'
export { importActor } from './import-actor.ts'
export {
  IMPORT_JOB,
  type ImportJobData,
  importJob,
  queueImport,
} from './import-jobs.ts'
export { getImport, type ImportPage, type ImportView, listImports, MAX_IMPORT_PAGE } from './import-status.ts'
export {
  IMPORT_STATUSES,
  type ImportFailure,
  type ImportStatus,
  type ImportsTable,
  type ImportTables,
} from './imports-table.ts'
export { IMPORT_FORMATS, type ImportFormat, MAX_IMPORT_ROWS, readTable, type Table } from './table.ts'
export { writeXlsx } from './xlsx-writer.ts'
export { MAX_UNPACKED_BYTES } from './zip-guard.ts'
