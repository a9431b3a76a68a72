import { type FieldError, Invalid } from '../errors/errors.ts'

/** Stable codes of filter problems, in the `code` of each field error. */
export type FilterErrorCode =
  | 'syntax'
  | 'too_long'
  | 'too_complex'
  | 'unknown_field'
  | 'invalid_operator'
  | 'invalid_value'
  | 'unknown_variable'

export interface FilterProblem {
  code: FilterErrorCode
  /** what is wrong, as a sentence; `At <where>: ` is put before it */
  message: string
  /** where: `position 12` or `and[0].value` */
  at?: string
}

/** The field name every filter error reports: the `filter` query parameter. */
export const FILTER_FIELD = 'filter'

/** At most this many problems are reported: a list of 500 bad values needs one line, not 500. */
const MAX_REPORTED = 20

export function filterInvalid(problems: FilterProblem[]): Invalid {
  const errors: FieldError[] = problems.slice(0, MAX_REPORTED).map((p) => ({
    field: FILTER_FIELD,
    code: p.code,
    message: p.at ? `At ${p.at}: ${p.message}` : p.message,
  }))
  return new Invalid(
    `The filter is invalid: ${errors.map((e) => e.message).join(' ')}`,
    errors,
    'invalid_filter',
  )
}

export function filterError(code: FilterErrorCode, message: string, at?: string): Invalid {
  return filterInvalid([{ code, message, at }])
}

/** Input echoed in a message, kept short so an error never carries a whole payload back. */
export function quote(text: string): string {
  const short = text.length > 40 ? `${text.slice(0, 40)}…` : text
  return JSON.stringify(short)
}
