import type { Writable } from 'node:stream'
import Decimal from 'decimal.js'
import ExcelJS from 'exceljs'
import type { Cell } from './cells.ts'
import { drained, whileOpen } from './stream-write.ts'

type Value = string | number | boolean | null

/**
 * Writes an XLSX workbook of one sheet with exceljs' streaming writer: each row is committed as it
 * comes, so the sheet is never held in memory whole. Numbers are numeric cells only when a double
 * holds them exactly; a longer decimal stays text rather than lose a digit (money is never a float).
 */
export async function writeXlsx(
  out: Writable,
  headers: readonly string[],
  rows: AsyncIterable<Cell[]>,
): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: false,
    useSharedStrings: false,
  })
  const sheet = workbook.addWorksheet('Export')
  sheet.addRow([...headers]).commit()
  let n = 0
  for await (const row of rows) {
    if (out.destroyed) throw new Error('export: the reader went away')
    sheet.addRow(row.map(xlsxValue)).commit()
    // the writer does not wait for its reader: wait here now and then
    if (++n % 500 === 0) await whileOpen(out, drained(out))
  }
  sheet.commit()
  await whileOpen(out, workbook.commit())
}

function xlsxValue(cell: Cell): Value {
  if (cell === null) return null
  if (cell.kind !== 'number') return cell.value
  const number = Number(cell.value)
  return new Decimal(number).equals(cell.value) ? number : cell.value
}
