import type { FieldDefinition } from '../entities/definition.ts'
import { unescapeFormula } from './cells.ts'
import type { RawCell } from './table.ts'

/** A cell converted to the JSON the API takes, or why it cannot be. */
export type Converted = { value: unknown } | { code: string; message: string }

const TRUE = new Set(['true', 'yes', '1'])
const FALSE = new Set(['false', 'no', '0'])
const INTEGER = /^[+-]?[0-9]{1,16}$/
const MONEY = /^(?:([A-Za-z]{3})\s*([+-]?[0-9.]+)|([+-]?[0-9.]+)\s*([A-Za-z]{3}))$/
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Whether the cell holds nothing: the field is then left out of the row (its default applies). */
export function isBlank(cell: RawCell): boolean {
  return cell === null || (typeof cell === 'string' && cell.trim() === '')
}

/** A cell as text: numbers in their shortest form, dates as ISO 8601. */
export function textOf(cell: Exclude<RawCell, null>): string {
  if (cell instanceof Date) return cell.toISOString()
  return String(cell)
}

/**
 * A cell as a value of the field's type, the way the API takes it: integers, booleans (true/false,
 * yes/no, 1/0), decimals as strings, dates as ISO 8601, multi-selects and many-to-many ids split
 * on `;`, JSON parsed. Everything else is text; what the type's own rules say (formats, options,
 * lengths, bounds) is checked by the same validation as the API's, on the whole row.
 */
export function convertCell(field: FieldDefinition, cell: Exclude<RawCell, null>): Converted {
  const text = textOf(cell).trim()
  switch (field.type) {
    case 'integer':
      if (typeof cell === 'number' && Number.isInteger(cell)) return { value: cell }
      return INTEGER.test(text)
        ? { value: Number(text) }
        : { code: 'type', message: 'must be a whole number.' }
    case 'decimal':
      return { value: text.replace(/^\+/, '') }
    case 'boolean': {
      if (typeof cell === 'boolean') return { value: cell }
      const lower = text.toLowerCase()
      if (TRUE.has(lower)) return { value: true }
      if (FALSE.has(lower)) return { value: false }
      return { code: 'type', message: 'must be true or false (yes/no, 1/0).' }
    }
    case 'date':
      return { value: cell instanceof Date ? cell.toISOString().slice(0, 10) : text }
    case 'multi_select':
    case 'many_to_many':
      return {
        value: [
          ...new Set(
            text
              .split(';')
              .map((part) => part.trim())
              .filter((part) => part !== ''),
          ),
        ],
      }
    case 'json':
      try {
        return { value: JSON.parse(text) }
      } catch {
        return { code: 'type', message: 'must be JSON.' }
      }
    case 'long_text':
      return { value: unescapeFormula(textOf(cell)) }
    default:
      return { value: unescapeFormula(text) }
  }
}

/**
 * A money cell: `12.50 EUR` (or `EUR 12.50`), or a bare amount whose currency comes from the
 * `<field>_currency` column.
 */
export function convertMoney(amount: Exclude<RawCell, null>, currency: string | undefined): Converted {
  const text = textOf(amount).trim()
  const both = MONEY.exec(text)
  if (both) {
    const code = (both[1] ?? both[4]) as string
    return { value: { amount: (both[2] ?? both[3]) as string, currency: code.toUpperCase() } }
  }
  if (currency === undefined || currency.trim() === '')
    return {
      code: 'currency_required',
      message: 'needs a currency: write "12.50 EUR" or add a currency column.',
    }
  return { value: { amount: text.replace(/^\+/, ''), currency: currency.trim().toUpperCase() } }
}
