import { isTimeZone } from '../schemas/validate.ts'
import type { FieldType } from './metadata.ts'

/**
 * What `$…` variables resolve from, supplied by the caller when it compiles a filter (record rules
 * are stored once and evaluated for each user). All inputs are explicit: compiling is pure.
 */
export interface FilterContext {
  user?: {
    id: string
    company_ids?: readonly string[]
    roles?: readonly string[]
  }
  /** the moment `$now` stands for, and the day `$today` is taken from */
  now?: Date
  /** the IANA time zone in which `$today` is taken (the user's or company's); UTC when absent */
  timeZone?: string
}

interface Variable {
  /** the kind of value: decides which fields it may be compared with */
  type: 'uuid' | 'text' | 'date' | 'datetime'
  /** a list variable fits `in` and `not in` only */
  list: boolean
  resolve(context: FilterContext): string | readonly string[] | undefined
}

const VARIABLES: Readonly<Record<string, Variable>> = {
  'user.id': { type: 'uuid', list: false, resolve: (c) => c.user?.id },
  'user.company_ids': { type: 'uuid', list: true, resolve: (c) => c.user?.company_ids },
  'user.roles': { type: 'text', list: true, resolve: (c) => c.user?.roles },
  today: { type: 'date', list: false, resolve: (c) => c.now && dayIn(c.now, c.timeZone ?? 'UTC') },
  now: { type: 'datetime', list: false, resolve: (c) => c.now?.toISOString() },
}

const FITS: Record<Variable['type'], readonly FieldType[]> = {
  uuid: ['uuid', 'reference', 'text'],
  text: ['text', 'select', 'multi_select'],
  date: ['date'],
  datetime: ['datetime'],
}

export const VARIABLE_NAMES = Object.keys(VARIABLES).map((name) => `$${name}`)

export function variableOf(name: string): Variable | undefined {
  return Object.hasOwn(VARIABLES, name) ? VARIABLES[name] : undefined
}

export function variableFits(variable: Variable, type: FieldType): boolean {
  return FITS[variable.type].includes(type)
}

/** The calendar day of `now` in a time zone, as YYYY-MM-DD. */
function dayIn(now: Date, timeZone: string): string | undefined {
  if (!isTimeZone(timeZone)) return undefined
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(now)
  const part = (type: string) => parts.find((p) => p.type === type)?.value
  return `${part('year')}-${part('month')}-${part('day')}`
}
