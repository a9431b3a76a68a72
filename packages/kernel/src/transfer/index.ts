/** Import and export of any entity's records as CSV or XLSX (issue 6, item 7). */
export { type Cell, escapeFormula } from './cells.ts'
export { csvField, csvRecord, writeCsv } from './csv-writer.ts'
export { type ExportQuery, MAX_EXPORT_ROWS, type OpenExport, openExport } from './export.ts'
export {
  type ImportInput,
  type ImportReport,
  type ImportRowError,
  importRecords,
  MAX_REPORTED_ERRORS,
} from './import.ts'
export { IMPORT_FORMATS, type ImportFormat, MAX_IMPORT_ROWS } from './table.ts'
export { writeXlsx } from './xlsx-writer.ts'
export { MAX_UNPACKED_BYTES } from './zip-guard.ts'
