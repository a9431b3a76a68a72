import {
  type ComparisonOp,
  depthOf,
  FILTER_LIMITS,
  type FilterCondition,
  type FilterNode,
  type FilterOperand,
  LIST_OPS,
  NULL_OPS,
} from './ast.ts'
import { filterError } from './filter-error.ts'

/**
 * Builds a condition the same way for both syntaxes, so they agree: `= null` is `is null`,
 * `!= null` is `is not null`, and each operator gets the shape of value it takes.
 */
export function makeCondition(
  field: string,
  op: ComparisonOp,
  value: FilterOperand | FilterOperand[] | undefined,
  at: string,
): FilterCondition {
  if ((op === 'eq' || op === 'ne') && !Array.isArray(value) && value?.kind === 'null')
    return { kind: 'condition', field, op: op === 'eq' ? 'is_null' : 'is_not_null', at }
  if (NULL_OPS.includes(op)) {
    if (value !== undefined) throw filterError('syntax', `The operator ${op} takes no value.`, at)
    return { kind: 'condition', field, op, at }
  }
  if (value === undefined) throw filterError('syntax', `The operator ${op} needs a value.`, at)
  if (LIST_OPS.includes(op)) {
    if (!Array.isArray(value) && value.kind !== 'variable')
      throw filterError('syntax', `The operator ${op} needs a list of values.`, value.at)
    if (Array.isArray(value)) {
      if (value.length === 0) throw filterError('syntax', 'A list needs at least one value.', at)
      if (value.length > FILTER_LIMITS.maxListValues)
        throw filterError(
          'too_complex',
          `A list has more than ${FILTER_LIMITS.maxListValues} values.`,
          value[FILTER_LIMITS.maxListValues]?.at,
        )
      for (const item of value) rejectNull(item)
    }
  } else {
    if (Array.isArray(value))
      throw filterError('syntax', `The operator ${op} takes one value, not a list.`, at)
    rejectNull(value)
  }
  return { kind: 'condition', field, op, value, at }
}

function rejectNull(value: FilterOperand): void {
  if (value.kind === 'null')
    throw filterError('syntax', 'null is compared with "is null" or "is not null" only.', value.at)
}

/** The tree both syntaxes end with, refused when it nests deeper than the limit. */
export function withinDepth(node: FilterNode): FilterNode {
  if (depthOf(node) > FILTER_LIMITS.maxDepth)
    throw filterError('too_complex', `The filter is nested deeper than ${FILTER_LIMITS.maxDepth} levels.`)
  return node
}
