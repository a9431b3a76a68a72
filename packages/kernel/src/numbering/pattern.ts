import { Invalid } from '../errors/errors.ts'

/** One piece of a numbering pattern, in order. */
export type PatternPart =
  | { kind: 'text'; text: string }
  | { kind: 'year' }
  | { kind: 'short_year' }
  | { kind: 'month' }
  | { kind: 'counter'; width: number }

/**
 * A checked numbering pattern such as `INV/{YYYY}/{#####}`. `resets` says how often the counter
 * starts again at 1: every month when the pattern shows the month, every year when it shows the
 * year, never when it shows no date.
 */
export interface NumberingPattern {
  source: string
  parts: PatternPart[]
  resets: 'never' | 'yearly' | 'monthly'
}

export const MAX_PATTERN_LENGTH = 60
const MAX_COUNTER_WIDTH = 18
const PIECE = /\{[^{}]*\}|[^{}]+|[{}]/g
const LITERAL = /^[A-Za-z0-9/_. -]+$/
const COUNTER = /^#+$/
const DATE_TOKENS: Record<string, PatternPart> = {
  YYYY: { kind: 'year' },
  YY: { kind: 'short_year' },
  MM: { kind: 'month' },
}

/**
 * Reads a pattern. Tokens: {YYYY}, {YY}, {MM} and exactly one counter `{#…}`, zero-padded to
 * the number of #'s (a wider number is never truncated). Text between tokens is limited to
 * letters, digits, spaces and / _ . - so a number is safe in any file name, URL or export cell.
 * Returns the problem as a sentence rather than throwing: see checkNumberingPattern (patterns in
 * code) and validateNumberingPattern (patterns a tenant typed).
 */
export function parseNumberingPattern(
  source: string,
): { ok: true; pattern: NumberingPattern } | { ok: false; problem: string } {
  const fail = (problem: string) => ({ ok: false as const, problem })
  if (source.length === 0) return fail('A numbering pattern must not be empty.')
  if (source.length > MAX_PATTERN_LENGTH) {
    return fail(`A numbering pattern has at most ${MAX_PATTERN_LENGTH} characters.`)
  }
  const parts: PatternPart[] = []
  for (const [piece] of source.matchAll(PIECE)) {
    if (piece === '{' || piece === '}') return fail('A numbering pattern has an unmatched brace.')
    if (!piece.startsWith('{')) {
      if (!LITERAL.test(piece)) {
        return fail('Text in a numbering pattern may hold only letters, digits, spaces and / _ . -')
      }
      parts.push({ kind: 'text', text: piece })
      continue
    }
    const token = piece.slice(1, -1)
    const part = COUNTER.test(token)
      ? ({ kind: 'counter', width: token.length } as const)
      : DATE_TOKENS[token]
    if (!part) return fail(`Unknown token ${piece}: use {YYYY}, {YY}, {MM} or {#####}.`)
    if (part.kind === 'counter' && part.width > MAX_COUNTER_WIDTH) {
      return fail(`The counter {#…} has at most ${MAX_COUNTER_WIDTH} #'s.`)
    }
    parts.push(part)
  }
  const counters = parts.filter((p) => p.kind === 'counter').length
  if (counters !== 1) return fail('A numbering pattern needs exactly one counter, e.g. {#####}.')
  const has = (kind: PatternPart['kind']) => parts.some((p) => p.kind === kind)
  const showsYear = has('year') || has('short_year')
  // a monthly counter without the year would print the same number again every year
  if (has('month') && !showsYear) return fail('A numbering pattern with {MM} needs {YYYY} or {YY} too.')
  const resets = has('month') ? 'monthly' : showsYear ? 'yearly' : 'never'
  return { ok: true, pattern: { source, parts, resets } }
}

/** A pattern written in code (a module's default): a bad one is a programming error. */
export function checkNumberingPattern(source: string): NumberingPattern {
  const parsed = parseNumberingPattern(source)
  if (!parsed.ok) throw new Error(`Bad numbering pattern "${source}": ${parsed.problem}`)
  return parsed.pattern
}

/** A pattern a tenant typed (a setting): a bad one is a 400 naming `field`. */
export function validateNumberingPattern(source: unknown, field = 'pattern'): NumberingPattern {
  if (typeof source !== 'string') throw Invalid.field(field, 'A numbering pattern must be a string.', 'type')
  const parsed = parseNumberingPattern(source)
  if (!parsed.ok) throw Invalid.field(field, parsed.problem, 'pattern')
  return parsed.pattern
}
