import { FILTER_LIMITS, type FilterNode } from './ast.ts'
import { filterError } from './filter-error.ts'
import { parseFilterJson } from './json-form.ts'
import { parseFilterText } from './parser.ts'

/**
 * Parses a filter in either form into one AST: a string starting with `{` is the JSON form,
 * any other string the text form, and an object (an already-parsed JSON body) the JSON form.
 * Throws Invalid (field `filter`) saying where and what.
 */
export function parseFilter(input: unknown): FilterNode {
  return typeof input === 'string' ? parseString(input) : parseObject(input)
}

function parseString(input: string): FilterNode {
  if (input.length > FILTER_LIMITS.maxLength)
    throw filterError('too_long', `The filter is longer than ${FILTER_LIMITS.maxLength} characters.`)
  if (!input.trimStart().startsWith('{')) return parseFilterText(input)
  let json: unknown
  try {
    json = JSON.parse(input)
  } catch {
    throw filterError('syntax', 'The filter starts with "{" but is not valid JSON.')
  }
  return parseFilterJson(json)
}

function parseObject(input: unknown): FilterNode {
  // the same budget as text, measured on the compact JSON
  let length: number
  try {
    length = JSON.stringify(input)?.length ?? 0
  } catch {
    throw filterError('syntax', 'The filter is not a JSON value.')
  }
  if (length > FILTER_LIMITS.maxLength)
    throw filterError('too_long', `The filter is longer than ${FILTER_LIMITS.maxLength} characters.`)
  return parseFilterJson(input)
}
