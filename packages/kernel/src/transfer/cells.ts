/**
 * One exported cell. Numbers travel as decimal strings (never floats) and are only numbers when
 * their field's type says so and their text is a plain decimal; everything else is text.
 */
export type Cell =
  | { kind: 'text'; value: string }
  | { kind: 'number'; value: string }
  | { kind: 'boolean'; value: boolean }
  | null

const PLAIN_NUMBER = /^-?[0-9]{1,20}(\.[0-9]{1,12})?$/
/** What a spreadsheet reads as the start of a formula (or a DDE payload) in a cell. */
const FORMULA_START = /^[=+\-@\t\r]/

export const textCell = (value: string): Cell => ({ kind: 'text', value: escapeFormula(value) })

/** A number from a numeric field; a value that is not a plain decimal is exported as (escaped) text. */
export const numberCell = (value: string): Cell =>
  PLAIN_NUMBER.test(value) ? { kind: 'number', value } : textCell(value)

/**
 * Formula injection (CSV injection): a text cell starting with `= + - @`, a tab or a carriage
 * return gets a leading single quote, so no spreadsheet ever evaluates a stored value. Applied to
 * CSV and XLSX alike, because an XLSX cell can be copied or saved as CSV later.
 */
export function escapeFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value
}

/** The reverse, on import: a value the export escaped comes back as it was stored. */
export function unescapeFormula(value: string): string {
  return value.startsWith("'") && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value
}

/** A cell as CSV text (RFC 4180 quoting is the writer's business). */
export function cellText(cell: Cell): string {
  if (cell === null) return ''
  if (cell.kind === 'boolean') return cell.value ? 'true' : 'false'
  return cell.value
}
