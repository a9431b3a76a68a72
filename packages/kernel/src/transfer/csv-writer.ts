import type { Writable } from 'node:stream'
import { type Cell, cellText } from './cells.ts'
import { writeChunk } from './stream-write.ts'

const NEEDS_QUOTES = /[",\r\n]/

/** One CSV field, RFC 4180: quoted when it holds a comma, a quote or a line break; quotes doubled. */
export function csvField(text: string): string {
  return NEEDS_QUOTES.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text
}

/** One CSV record, CRLF-terminated as RFC 4180 says. */
export function csvRecord(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}\r\n`
}

/**
 * Writes a CSV file (UTF-8 with a byte-order mark, so spreadsheets read accents right) as the
 * rows come, waiting whenever the reader is slower than the database.
 */
export async function writeCsv(
  out: Writable,
  headers: readonly string[],
  rows: AsyncIterable<Cell[]>,
): Promise<void> {
  let chunk = `\uFEFF${csvRecord(headers)}`
  for await (const row of rows) {
    chunk += csvRecord(row.map(cellText))
    if (chunk.length >= 64 * 1024) {
      await writeChunk(out, chunk)
      chunk = ''
    }
  }
  if (chunk) await writeChunk(out, chunk)
  out.end()
}
