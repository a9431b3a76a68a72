import { Invalid } from '../errors/errors.ts'
import type { NumberingPattern, PatternPart } from './pattern.ts'

/** A document's calendar date, as the parts a pattern can show. */
export interface CalendarDate {
  year: string
  month: string
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/**
 * The calendar date of a document. A 'YYYY-MM-DD' string is taken as written (the kernel reads
 * `date` columns as such strings); a Date is an instant and is read in UTC, so pass the string
 * when the document's date is what counts.
 */
export function calendarDateOf(date: Date | string): CalendarDate {
  const invalid = () => Invalid.field('date', 'The document date must be an ISO date, YYYY-MM-DD.', 'format')
  if (typeof date === 'string') {
    const match = ISO_DATE.exec(date)
    if (!match) throw invalid()
    const [, year = '', month = '', day = ''] = match
    const parsed = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)))
    if (parsed.getUTCMonth() !== Number(month) - 1 || parsed.getUTCDate() !== Number(day)) throw invalid()
    return { year, month }
  }
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw invalid()
  const year = date.getUTCFullYear()
  if (year < 1 || year > 9999) throw invalid()
  return { year: String(year).padStart(4, '0'), month: String(date.getUTCMonth() + 1).padStart(2, '0') }
}

/** The sequence a number is counted in: '' (never resets), '2026' (yearly) or '202611' (monthly). */
export function periodOf(pattern: NumberingPattern, date: CalendarDate): string {
  if (pattern.resets === 'monthly') return `${date.year}${date.month}`
  if (pattern.resets === 'yearly') return date.year
  return ''
}

/** The pattern with its tokens filled in; `value` is the counter, a decimal string or number. */
export function formatNumber(pattern: NumberingPattern, date: CalendarDate, value: string | number): string {
  const textOf = (part: PatternPart): string => {
    if (part.kind === 'text') return part.text
    if (part.kind === 'year') return date.year
    if (part.kind === 'short_year') return date.year.slice(-2)
    if (part.kind === 'month') return date.month
    return String(value).padStart(part.width, '0')
  }
  return pattern.parts.map(textOf).join('')
}
