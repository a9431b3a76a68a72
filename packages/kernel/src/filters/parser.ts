/**
 * The text form of a filter. Grammar (keywords are case-insensitive; whitespace separates tokens):
 *
 *   filter     := or_expr END
 *   or_expr    := and_expr ( 'or' and_expr )*
 *   and_expr   := unary ( 'and' unary )*
 *   unary      := 'not' unary | '(' or_expr ')' | condition
 *   condition  := path cmp_op operand
 *               | path [ 'not' ] 'in' list
 *               | path ( 'contains' | 'starts_with' ) operand
 *               | path 'is' [ 'not' ] 'null'
 *   cmp_op     := '=' | '!=' | '<>' | '<' | '<=' | '>' | '>='
 *   list       := '(' operand ( ',' operand )* ')' | variable
 *   operand    := string | number | 'true' | 'false' | 'null' | variable
 *   path       := name ( '.' name ){0,2}          e.g. amount, custom.referral_source, partner.country
 *   name       := [A-Za-z_][A-Za-z0-9_]*
 *   string     := "'" ( any character but "'" | "''" )* "'"      '' is one quote
 *   number     := '-'? [0-9]+ ( '.' [0-9]+ )?      kept as text, never a float
 *   variable   := '$' name ( '.' name )*          $user.id, $user.company_ids, $user.roles, $today, $now
 *
 * Precedence: not > and > or. `x = null` means `x is null`, `x != null` means `x is not null`.
 * Dates and datetimes are ISO 8601 strings: `closes_on >= '2025-01-31'`.
 * Limits (FILTER_LIMITS): 4,000 characters, 50 conditions, nesting depth 10, 500 values a list.
 */
import {
  type ComparisonOp,
  combine,
  FILTER_LIMITS,
  type FilterNode,
  type FilterOperand,
  type FilterVariable,
} from './ast.ts'
import { makeCondition, withinDepth } from './build.ts'
import { filterError, quote } from './filter-error.ts'
import { position, type Token, tokenize } from './lexer.ts'

const CMP_OPS: Record<string, ComparisonOp> = {
  '=': 'eq',
  '!=': 'ne',
  '<': 'lt',
  '<=': 'lte',
  '>': 'gt',
  '>=': 'gte',
}
const MAX_PATH_SEGMENTS = 3

export function parseFilterText(input: string): FilterNode {
  if (input.length > FILTER_LIMITS.maxLength)
    throw filterError('too_long', `The filter is longer than ${FILTER_LIMITS.maxLength} characters.`)
  const tokens = tokenize(input)
  // Recursive descent over the token list; `depth` counts open parentheses and `not`s.
  let i = 0
  let conditions = 0

  const peek = () => tokens[i] as Token
  const next = () => {
    const token = peek()
    if (token.type !== 'end') i++
    return token
  }
  const isWord = (word: string, token = peek()) => token.type === 'word' && token.text.toLowerCase() === word
  const expectWord = (word: string) => {
    const token = next()
    if (!isWord(word, token))
      throw filterError('syntax', `Expected "${word}" but found ${describe(token)}.`, position(token.pos))
  }

  const orExpr = (depth: number): FilterNode => {
    const first = peek()
    const children = [andExpr(depth)]
    while (isWord('or')) {
      next()
      children.push(andExpr(depth))
    }
    return combine('or', children, position(first.pos))
  }

  const andExpr = (depth: number): FilterNode => {
    const first = peek()
    const children = [unary(depth)]
    while (isWord('and')) {
      next()
      children.push(unary(depth))
    }
    return combine('and', children, position(first.pos))
  }

  const unary = (depth: number): FilterNode => {
    const token = peek()
    if (depth >= FILTER_LIMITS.maxDepth && (isWord('not') || token.type === '('))
      throw filterError(
        'too_complex',
        `The filter is nested deeper than ${FILTER_LIMITS.maxDepth} levels.`,
        position(token.pos),
      )
    if (isWord('not')) {
      next()
      return { kind: 'not', child: unary(depth + 1), at: position(token.pos) }
    }
    if (token.type === '(') {
      next()
      const node = orExpr(depth + 1)
      const close = next()
      if (close.type !== ')')
        throw filterError('syntax', `Expected ")" but found ${describe(close)}.`, position(close.pos))
      return node
    }
    return condition()
  }

  const condition = (): FilterNode => {
    const field = next()
    if (field.type !== 'word')
      throw filterError('syntax', `Expected a field name but found ${describe(field)}.`, position(field.pos))
    if (field.text.split('.').length > MAX_PATH_SEGMENTS)
      throw filterError('syntax', `The field path ${quote(field.text)} is too long.`, position(field.pos))
    conditions++
    if (conditions > FILTER_LIMITS.maxConditions)
      throw filterError(
        'too_complex',
        `The filter has more than ${FILTER_LIMITS.maxConditions} conditions.`,
        position(field.pos),
      )
    const at = position(field.pos)
    const op = next()
    if (op.type === 'op') return makeCondition(field.text, CMP_OPS[op.text] as ComparisonOp, operand(), at)
    if (isWord('in', op)) return makeCondition(field.text, 'in', list(), at)
    if (isWord('not', op)) {
      expectWord('in')
      return makeCondition(field.text, 'not_in', list(), at)
    }
    if (isWord('contains', op)) return makeCondition(field.text, 'contains', operand(), at)
    if (isWord('starts_with', op)) return makeCondition(field.text, 'starts_with', operand(), at)
    if (isWord('is', op)) {
      const negated = isWord('not')
      if (negated) next()
      expectWord('null')
      return makeCondition(field.text, negated ? 'is_not_null' : 'is_null', undefined, at)
    }
    throw filterError('syntax', `Expected an operator but found ${describe(op)}.`, position(op.pos))
  }

  const list = (): FilterOperand[] | FilterVariable => {
    const open = next()
    if (open.type === 'variable') return { kind: 'variable', name: open.text, at: position(open.pos) }
    if (open.type !== '(')
      throw filterError(
        'syntax',
        `Expected "(" to open a list but found ${describe(open)}.`,
        position(open.pos),
      )
    if (peek().type === ')')
      throw filterError('syntax', 'A list needs at least one value.', position(open.pos))
    const items: FilterOperand[] = []
    for (;;) {
      // checked as we go, so a huge list fails at its 501st value rather than after reading it all
      if (items.length === FILTER_LIMITS.maxListValues)
        throw filterError(
          'too_complex',
          `A list has more than ${FILTER_LIMITS.maxListValues} values.`,
          position(peek().pos),
        )
      items.push(operand())
      const sep = next()
      if (sep.type === ')') return items
      if (sep.type !== ',')
        throw filterError('syntax', `Expected "," or ")" but found ${describe(sep)}.`, position(sep.pos))
    }
  }

  const operand = (): FilterOperand => {
    const token = next()
    const at = position(token.pos)
    switch (token.type) {
      case 'string':
        return { kind: 'string', value: token.text, at }
      case 'number':
        return { kind: 'number', value: token.text, at }
      case 'variable':
        return { kind: 'variable', name: token.text, at }
      case 'word': {
        const word = token.text.toLowerCase()
        if (word === 'true' || word === 'false') return { kind: 'boolean', value: word === 'true', at }
        if (word === 'null') return { kind: 'null', at }
        throw filterError(
          'syntax',
          `Expected a value but found ${describe(token)}; text values are written in single quotes.`,
          at,
        )
      }
      default:
        throw filterError('syntax', `Expected a value but found ${describe(token)}.`, at)
    }
  }

  if (peek().type === 'end') throw filterError('syntax', 'The filter is empty.')
  const node = orExpr(0)
  const rest = peek()
  if (rest.type !== 'end') throw filterError('syntax', `Unexpected ${describe(rest)}.`, position(rest.pos))
  return withinDepth(node)
}

function describe(token: Token): string {
  switch (token.type) {
    case 'end':
      return 'the end of the filter'
    case 'string':
      return `the string ${quote(token.text)}`
    case 'variable':
      return `the variable ${quote(`$${token.text}`)}`
    default:
      return quote(token.text)
  }
}
