import { parse } from 'csv-parse/sync'
import ExcelJS from 'exceljs'
import { Invalid } from '../errors/errors.ts'
import { zipProblem } from './zip-guard.ts'

export const IMPORT_FORMATS = ['csv', 'xlsx'] as const
export type ImportFormat = (typeof IMPORT_FORMATS)[number]
export const MAX_IMPORT_ROWS = 100_000
const MAX_COLUMNS = 500

/** A cell as read from a file: CSV gives text; XLSX also numbers, booleans and dates. */
export type RawCell = string | number | boolean | Date | null

/** A data row and its row number as a spreadsheet shows it (the header is row 1). */
export interface TableRow {
  row: number
  cells: RawCell[]
}

/** A file's header row and its data rows, blank rows left out. */
export interface Table {
  headers: string[]
  rows: TableRow[]
}

const bodyError = (message: string, code: string) => Invalid.field('(body)', message, code)

/** Reads an uploaded CSV or XLSX (its first sheet) into a header row and data rows. */
export async function readTable(body: Buffer, format: ImportFormat): Promise<Table> {
  const grid = format === 'csv' ? readCsv(body) : await readXlsx(body)
  const nonEmpty = grid
    .map((cells, i) => ({ row: i + 1, cells }))
    .filter(({ cells }) => cells.some((c) => c !== null && c !== ''))
  const [first, ...rows] = nonEmpty
  const header = first?.cells
  if (!header) throw bodyError('The file is empty: it needs a header row and data rows.', 'empty_file')
  if (header.length > MAX_COLUMNS)
    throw bodyError(`The file has more than ${MAX_COLUMNS} columns.`, 'too_many_columns')
  if (rows.length > MAX_IMPORT_ROWS)
    throw bodyError(`The file has more than ${MAX_IMPORT_ROWS} rows: split it.`, 'too_many_rows')
  if (rows.length === 0) throw bodyError('The file has a header row but no data rows.', 'empty_file')
  return { headers: header.map((h) => (h === null ? '' : String(h).trim())), rows }
}

function readCsv(body: Buffer): RawCell[][] {
  const text = body.toString('utf8')
  const firstLine = text.slice(0, text.search(/\r?\n|$/))
  // a spreadsheet set to a European locale writes `;` between fields
  const delimiter = !firstLine.includes(',') && firstLine.includes(';') ? ';' : ','
  try {
    return parse(text, { bom: true, delimiter, relax_column_count: true }) as string[][]
  } catch (err) {
    const line = (err as { lines?: number }).lines
    throw bodyError(`The CSV is malformed${line ? ` near line ${line}` : ''}.`, 'invalid_csv')
  }
}

async function readXlsx(body: Buffer): Promise<RawCell[][]> {
  const problem = zipProblem(body)
  if (problem) throw bodyError(`The XLSX file cannot be read: ${problem}.`, 'invalid_xlsx')
  const workbook = new ExcelJS.Workbook()
  try {
    await workbook.xlsx.load(body as unknown as ArrayBuffer)
  } catch {
    throw bodyError('The XLSX file cannot be read.', 'invalid_xlsx')
  }
  const sheet = workbook.worksheets[0]
  if (!sheet) return []
  const grid: RawCell[][] = []
  const width = Math.min(sheet.columnCount, MAX_COLUMNS + 1)
  const height = Math.min(sheet.rowCount, MAX_IMPORT_ROWS + 2)
  for (let r = 1; r <= height; r++) {
    const row = sheet.getRow(r)
    const cells: RawCell[] = []
    for (let c = 1; c <= width; c++) cells.push(rawOf(row.getCell(c).value))
    grid.push(cells)
  }
  return grid
}

/** A cell's value as data: rich text as its text, a link as its text, a formula as its cached result. */
function rawOf(value: ExcelJS.CellValue): RawCell {
  if (value === null || value === undefined) return null
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value
  if (value instanceof Date) return value
  if ('richText' in value) return value.richText.map((part) => part.text).join('')
  if ('hyperlink' in value) return typeof value.text === 'string' ? value.text : null
  if ('result' in value) {
    const result = value.result
    return result === undefined || (typeof result === 'object' && !(result instanceof Date)) ? null : result
  }
  return null
}
