import { TesseraError } from '@tessera/kernel'

export const CSV_TYPE = 'text/csv'
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
/** What Windows browsers send for a .csv file. */
export const LEGACY_CSV_TYPE = 'application/vnd.ms-excel'

/** 415: an import body of another type than CSV or XLSX. */
export class UnsupportedMediaType extends TesseraError {
  readonly status = 415
  constructor() {
    super(
      'unsupported_media_type',
      `An import must be CSV (${CSV_TYPE}) or XLSX (${XLSX_TYPE}), sent as the raw body or as the "file" part of a multipart form.`,
    )
  }
}

/** The import format a Content-Type names. */
export function formatOf(contentType: string | undefined): 'csv' | 'xlsx' {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase()
  if (type === CSV_TYPE || type === LEGACY_CSV_TYPE) return 'csv'
  if (type === XLSX_TYPE) return 'xlsx'
  throw new UnsupportedMediaType()
}
