import { filterError, quote } from './filter-error.ts'

/**
 * Tokens of the text form. Positions are 1-based character offsets, as a person counts them.
 * A word is a name or a dotted path (`partner.country`); keywords are words the parser
 * recognises by place, so a field may be called `status` or `in` without quoting.
 */
export type Token =
  | { type: 'word'; text: string; pos: number }
  | { type: 'string'; text: string; pos: number }
  | { type: 'number'; text: string; pos: number }
  | { type: 'variable'; text: string; pos: number }
  | { type: 'op'; text: '=' | '!=' | '<' | '<=' | '>' | '>='; pos: number }
  | { type: '(' | ')' | ','; text: string; pos: number }
  | { type: 'end'; text: ''; pos: number }

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y
const PATH = /[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/y
const NUMBER = /-?[0-9]+(?:\.[0-9]+)?/y
const WHITESPACE = new Set([' ', '\t', '\n', '\r'])

export function position(pos: number): string {
  return `position ${pos}`
}

export function tokenize(input: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < input.length) {
    const c = input[i] as string
    const pos = i + 1
    if (WHITESPACE.has(c)) {
      i++
    } else if (c === "'") {
      const { text, end } = readString(input, i)
      tokens.push({ type: 'string', text, pos })
      i = end
    } else if (c === '(' || c === ')' || c === ',') {
      tokens.push({ type: c, text: c, pos })
      i++
    } else if (c === '=' || c === '<' || c === '>' || c === '!') {
      const two = input.slice(i, i + 2)
      if (two === '<=' || two === '>=' || two === '!=' || two === '<>') {
        tokens.push({ type: 'op', text: two === '<>' ? '!=' : two, pos })
        i += 2
      } else if (c === '!') {
        throw filterError('syntax', 'Expected "!=" after "!".', position(pos))
      } else {
        tokens.push({ type: 'op', text: c, pos })
        i++
      }
    } else if (c === '$') {
      const name = match(PATH, input, i + 1)
      if (!name) throw filterError('syntax', 'Expected a variable name after "$".', position(pos))
      tokens.push({ type: 'variable', text: name, pos })
      i += 1 + name.length
    } else if (c === '-' || isDigit(c)) {
      const text = match(NUMBER, input, i)
      if (!text) throw filterError('syntax', `Unexpected character ${quote(c)}.`, position(pos))
      i += text.length
      // `12abc` or `1.5.2` is a typo, not a number followed by a name
      if (i < input.length && /[A-Za-z0-9_.]/.test(input[i] as string))
        throw filterError('syntax', 'A number is followed by an unexpected character.', position(i + 1))
      tokens.push({ type: 'number', text, pos })
    } else if (match(NAME, input, i)) {
      const text = match(PATH, input, i) as string
      i += text.length
      if (input[i] === '.') throw filterError('syntax', 'A field path ends with ".".', position(i + 1))
      tokens.push({ type: 'word', text, pos })
    } else {
      throw filterError('syntax', `Unexpected character ${quote(c)}.`, position(pos))
    }
  }
  tokens.push({ type: 'end', text: '', pos: input.length + 1 })
  return tokens
}

/** A single-quoted string; a quote inside is written twice (`'O''Brien'`), as in SQL. */
function readString(input: string, start: number): { text: string; end: number } {
  let text = ''
  let i = start + 1
  while (i < input.length) {
    const c = input[i] as string
    if (c === "'") {
      if (input[i + 1] !== "'") return { text, end: i + 1 }
      text += "'"
      i += 2
    } else {
      text += c
      i++
    }
  }
  throw filterError('syntax', 'A string is not closed with a quote.', position(start + 1))
}

function match(pattern: RegExp, input: string, at: number): string | undefined {
  pattern.lastIndex = at
  return pattern.exec(input)?.[0]
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9'
}
