import type { TestApp } from '@tessera/testing'
import { parse } from 'csv-parse/sync'
import ExcelJS from 'exceljs'
import { bearer } from '../auth/helpers.ts'

export const CSV = 'text/csv'
export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

/** GET {resource}/export as `token`; the query is given as an object. */
export function exportList(t: TestApp, token: string, resource: string, query: Record<string, string> = {}) {
  const search = new URLSearchParams(query).toString()
  return t.app.inject({
    method: 'GET',
    url: `/api/v1/${resource}/export${search ? `?${search}` : ''}`,
    headers: bearer(token),
  })
}

/** POST {resource}/import with a raw file body. */
export function importFile(
  t: TestApp,
  token: string,
  resource: string,
  body: string | Buffer,
  options: { type?: string; query?: Record<string, string>; headers?: Record<string, string> } = {},
) {
  const search = new URLSearchParams(options.query ?? {}).toString()
  return t.app.inject({
    method: 'POST',
    url: `/api/v1/${resource}/import${search ? `?${search}` : ''}`,
    headers: { ...bearer(token), 'content-type': options.type ?? CSV, ...options.headers },
    payload: body,
  })
}

/** A CSV response as rows of strings (the header first), read by a real CSV parser. */
export function csvRows(body: Buffer | string): string[][] {
  return parse(body, { bom: true }) as string[][]
}

/** An XLSX response's first sheet as rows of cell values (the header first), read by exceljs. */
export async function xlsxRows(body: Buffer): Promise<unknown[][]> {
  const workbook = new ExcelJS.Workbook()
  await workbook.xlsx.load(body as unknown as ArrayBuffer)
  const sheet = workbook.worksheets[0]
  if (!sheet) throw new Error('no sheet')
  const rows: unknown[][] = []
  sheet.eachRow((row) => {
    rows.push((row.values as unknown[]).slice(1))
  })
  return rows
}

/** An XLSX file of one sheet with these rows (the header first), written by exceljs. */
export async function xlsxFile(rows: unknown[][]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook()
  const sheet = workbook.addWorksheet('Sheet1')
  for (const row of rows) sheet.addRow(row)
  return Buffer.from(await workbook.xlsx.writeBuffer())
}
