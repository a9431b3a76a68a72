/**
 * The JSON form of a filter, friendlier in a query string than quoting text:
 *
 *   node      := {"and": [node, …]} | {"or": [node, …]} | {"not": node} | condition
 *   condition := {"field": path, "op": op, "value"?: value}
 *   op        := eq | ne | lt | lte | gt | gte | in | not_in | contains | starts_with | is_null | is_not_null
 *   value     := string | integer | true | false | null | {"var": "user.id"} | [value, …]
 *
 * Decimal numbers are written as strings ("0.30"): a JSON number has already been through a float
 * by the time it is parsed, so only safe integers are accepted as numbers. A variable is an object,
 * never a string starting with `$`, so a stored value can never turn into a variable.
 */
import {
  COMPARISON_OPS,
  type ComparisonOp,
  combine,
  FILTER_LIMITS,
  type FilterNode,
  type FilterOperand,
} from './ast.ts'
import { makeCondition, withinDepth } from './build.ts'
import { filterError, quote } from './filter-error.ts'

const PATH = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*){0,2}$/
const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/

export function parseFilterJson(input: unknown): FilterNode {
  let conditions = 0

  const node = (value: unknown, at: string, depth: number): FilterNode => {
    if (depth > FILTER_LIMITS.maxDepth)
      throw filterError(
        'too_complex',
        `The filter is nested deeper than ${FILTER_LIMITS.maxDepth} levels.`,
        at,
      )
    const object = asObject(value, at)
    const keys = Object.keys(object)
    if (keys.length === 1 && (keys[0] === 'and' || keys[0] === 'or')) {
      const kind = keys[0]
      const items = object[kind]
      if (!Array.isArray(items) || items.length === 0)
        throw filterError('syntax', `"${kind}" needs a non-empty array of conditions.`, at)
      return combine(
        kind,
        items.map((item, i) => node(item, `${prefix(at)}${kind}[${i}]`, depth + 1)),
        at,
      )
    }
    if (keys.length === 1 && keys[0] === 'not')
      return { kind: 'not', child: node(object.not, `${prefix(at)}not`, depth + 1), at }
    return condition(object, at)
  }

  const condition = (object: Record<string, unknown>, at: string): FilterNode => {
    const unknown = Object.keys(object).find((key) => key !== 'field' && key !== 'op' && key !== 'value')
    if (unknown !== undefined)
      throw filterError(
        'syntax',
        `Unexpected key ${quote(unknown)}; a node is {"and": […]}, {"or": […]}, {"not": …} or {"field", "op", "value"}.`,
        at,
      )
    const { field, op } = object
    if (typeof field !== 'string' || !PATH.test(field))
      throw filterError('syntax', 'Expected "field" to be a field name or path.', `${prefix(at)}field`)
    if (typeof op !== 'string' || !(COMPARISON_OPS as readonly string[]).includes(op))
      throw filterError(
        'syntax',
        `Expected "op" to be one of ${COMPARISON_OPS.join(', ')}.`,
        `${prefix(at)}op`,
      )
    conditions++
    if (conditions > FILTER_LIMITS.maxConditions)
      throw filterError(
        'too_complex',
        `The filter has more than ${FILTER_LIMITS.maxConditions} conditions.`,
        at,
      )
    const valueAt = `${prefix(at)}value`
    const value = 'value' in object ? operandOrList(object.value, valueAt) : undefined
    return makeCondition(field, op as ComparisonOp, value, at)
  }

  return withinDepth(node(input, 'the top level', 0))
}

function operandOrList(value: unknown, at: string): FilterOperand | FilterOperand[] {
  if (!Array.isArray(value)) return operand(value, at)
  if (value.length > FILTER_LIMITS.maxListValues)
    throw filterError('too_complex', `A list has more than ${FILTER_LIMITS.maxListValues} values.`, at)
  return value.map((item, i) => operand(item, `${at}[${i}]`))
}

function operand(value: unknown, at: string): FilterOperand {
  if (typeof value === 'string') return { kind: 'string', value, at }
  if (typeof value === 'boolean') return { kind: 'boolean', value, at }
  if (value === null) return { kind: 'null', at }
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value))
      throw filterError('invalid_value', 'Write decimal and large numbers as strings, e.g. "0.30".', at)
    return { kind: 'number', value: String(value), at }
  }
  if (typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value)
    const name = (value as { var?: unknown }).var
    if (keys.length === 1 && typeof name === 'string' && VARIABLE.test(name.replace(/^\$/, '')))
      return { kind: 'variable', name: name.replace(/^\$/, ''), at }
  }
  throw filterError('syntax', 'Expected a value: a string, a number, true, false, null or {"var": name}.', at)
}

function asObject(value: unknown, at: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw filterError('syntax', 'Expected an object.', at)
  return value as Record<string, unknown>
}

function prefix(at: string): string {
  return at === 'the top level' ? '' : `${at}.`
}
