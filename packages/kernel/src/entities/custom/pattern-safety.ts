/**
 * A custom field's pattern comes from a tenant and runs on every write, in the process every
 * tenant shares. JavaScript's backtracking engine has no time limit, so a pattern like `(a+)+$`
 * could stall the server for everyone on one crafted value (ReDoS). Custom patterns are therefore
 * kept to what cannot backtrack badly: no backreferences or lookaround, no repeated group that
 * itself repeats or alternates, few long repetitions, and short values (see MAX_PATTERN_VALUE).
 */

/** The longest value a pattern is run on: three long repetitions over it stay in milliseconds. */
export const MAX_PATTERN_VALUE = 255
const MAX_LONG_REPETITIONS = 3

interface Group {
  repeats: boolean
  alternates: boolean
}

/** What makes the pattern unsafe to run, or undefined. Assumes it compiles (checked elsewhere). */
export function patternProblem(pattern: string): string | undefined {
  const stack: Group[] = [{ repeats: false, alternates: false }]
  let long = 0
  let i = 0
  while (i < pattern.length) {
    const c = pattern[i] as string
    let closed: Group | undefined
    if (c === '\\') {
      const next = pattern[i + 1] ?? ''
      if (/[1-9]/.test(next) || (next === 'k' && pattern[i + 2] === '<'))
        return 'a pattern cannot use backreferences'
      i += 2
    } else if (c === '[') {
      i = classEnd(pattern, i) + 1
    } else if (c === '(') {
      if (/^\(\?(?:=|!|<=|<!)/.test(pattern.slice(i))) return 'a pattern cannot use lookahead or lookbehind'
      stack.push({ repeats: false, alternates: false })
      i += 1
      continue
    } else if (c === ')') {
      closed = stack.pop()
      i += 1
    } else {
      if (c === '|') (stack.at(-1) as Group).alternates = true
      i += 1
      if (c === '|' || c === '^' || c === '$') continue
    }
    const quantifier = quantifierAt(pattern, i)
    const top = stack.at(-1) as Group
    if (closed) {
      if (quantifier.repeats && (closed.repeats || closed.alternates))
        return 'a repeated group cannot itself repeat or hold alternatives, e.g. (a+)+ or (a|b)*'
      top.repeats ||= closed.repeats || quantifier.repeats
      top.alternates ||= closed.alternates
    } else top.repeats ||= quantifier.repeats
    if (quantifier.long) long += 1
    if (long > MAX_LONG_REPETITIONS)
      return `a pattern can have at most ${MAX_LONG_REPETITIONS} repetitions of more than 10 (*, + or {n,m})`
    i += quantifier.length
  }
  return undefined
}

/** The index of the `]` closing the class opened at `start`. */
function classEnd(pattern: string, start: number): number {
  let i = start + 1
  if (pattern[i] === '^') i += 1
  if (pattern[i] === ']') i += 1
  while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1
  return i
}

/** The quantifier following an atom: whether it repeats (more than once), and unboundedly or long. */
function quantifierAt(pattern: string, i: number): { length: number; repeats: boolean; long: boolean } {
  const c = pattern[i]
  let length = 0
  let repeats = false
  let long = false
  if (c === '*' || c === '+') {
    length = 1
    repeats = true
    long = true
  } else if (c === '?') length = 1
  else if (c === '{') {
    const match = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i))
    if (match) {
      length = match[0].length
      const upper = match[2] === undefined ? Number(match[1]) : match[3] ? Number(match[3]) : Infinity
      repeats = upper > 1
      long = upper > 10
    }
  }
  if (length > 0 && pattern[i + length] === '?') length += 1
  return { length, repeats, long }
}
