import { extname } from 'node:path'
import { FileTooLarge, type ImportFormat, Invalid } from '@tessera/kernel'
import type { FastifyRequest } from 'fastify'
import { FILE_FIELD, filePart } from '../files/multipart.ts'
import { CSV_TYPE, formatOf, LEGACY_CSV_TYPE, UnsupportedMediaType, XLSX_TYPE } from './media.ts'

/** An import's file and its format, from the raw body or from a multipart form's `file` part. */
export interface ImportFile {
  body: Buffer
  format: ImportFormat
}

/**
 * The import's file: the raw body (its Content-Type names the format) or the `file` part of a
 * multipart/form-data body (the part's type names it, or else the file name's extension). At
 * most `limit` bytes: a larger part is 413, as a larger raw body is.
 */
export async function importFileOf(request: FastifyRequest, limit: number): Promise<ImportFile> {
  if (!request.isMultipart()) {
    const body = request.body
    if (!Buffer.isBuffer(body) || body.length === 0)
      throw Invalid.field('(body)', 'Send the CSV or XLSX file as the request body.', 'empty_file')
    return { body, format: formatOf(request.headers['content-type']) }
  }
  const part = await filePart(request, { fileSize: limit })
  let body: Buffer
  try {
    body = await part.toBuffer()
  } catch (err) {
    if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw new FileTooLarge(limit)
    throw Invalid.field(
      FILE_FIELD,
      'The file ended before it was complete, or its form is malformed.',
      'upload_incomplete',
    )
  }
  if (body.length === 0) throw Invalid.field(FILE_FIELD, 'The file is empty.', 'empty_file')
  return { body, format: partFormat(part.mimetype, part.filename) }
}

/** Browsers label a .csv with several types, or none: the extension decides when the type does not. */
function partFormat(mimetype: string, filename: string): ImportFormat {
  const type = mimetype.split(';')[0]?.trim().toLowerCase()
  if (type === CSV_TYPE || type === LEGACY_CSV_TYPE || type === XLSX_TYPE) return formatOf(type)
  const extension = extname(filename).toLowerCase()
  if (extension === '.csv') return 'csv'
  if (extension === '.xlsx') return 'xlsx'
  throw new UnsupportedMediaType()
}
