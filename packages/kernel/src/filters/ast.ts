/**
 * The filter AST: what both the text form (`amount < 10000 and region = 'North'`) and the JSON
 * form (`{"and":[{"field":"amount","op":"lt","value":"10000"}]}`) parse into. Every node keeps
 * where it came from (`at`: `position 12` in text, `and[0].value` in JSON) so validation can say
 * where a problem is.
 */

export const COMPARISON_OPS = [
  'eq',
  'ne',
  'lt',
  'lte',
  'gt',
  'gte',
  'in',
  'not_in',
  'contains',
  'starts_with',
  'is_null',
  'is_not_null',
] as const
export type ComparisonOp = (typeof COMPARISON_OPS)[number]

/** Operators taking no value, one value, or a list. */
export const NULL_OPS: readonly ComparisonOp[] = ['is_null', 'is_not_null']
export const LIST_OPS: readonly ComparisonOp[] = ['in', 'not_in']

/** Numbers stay strings end to end: a money amount never passes through a float. */
export type FilterLiteral =
  | { kind: 'string'; value: string; at: string }
  | { kind: 'number'; value: string; at: string }
  | { kind: 'boolean'; value: boolean; at: string }
  | { kind: 'null'; at: string }

/** `$user.id` is `{ kind: 'variable', name: 'user.id' }`; resolved when the filter is compiled. */
export interface FilterVariable {
  kind: 'variable'
  name: string
  at: string
}

export type FilterOperand = FilterLiteral | FilterVariable

export interface FilterCondition {
  kind: 'condition'
  /** the path as written: `name`, `custom.referral_source`, `partner.country` */
  field: string
  op: ComparisonOp
  /** absent for is_null/is_not_null; a list or a list variable for in/not_in; one operand otherwise */
  value?: FilterOperand | FilterOperand[]
  at: string
}

export interface FilterAnd {
  kind: 'and'
  children: FilterNode[]
  at: string
}

export interface FilterOr {
  kind: 'or'
  children: FilterNode[]
  at: string
}

export interface FilterNot {
  kind: 'not'
  child: FilterNode
  at: string
}

export type FilterNode = FilterCondition | FilterAnd | FilterOr | FilterNot

/** The limits SECURITY.md's "filters" line needs: a filter is bounded work for the database. */
export const FILTER_LIMITS = {
  maxLength: 4000,
  maxConditions: 50,
  maxDepth: 10,
  maxListValues: 500,
} as const

/** `a and (b and c)` is `a and b and c`: one n-ary node, so both syntaxes give the same tree. */
export function combine(kind: 'and' | 'or', children: FilterNode[], at: string): FilterNode {
  const flat = children.flatMap((child) => (child.kind === kind ? child.children : [child]))
  if (flat.length === 1 && flat[0]) return flat[0]
  return { kind, children: flat, at }
}

/** How deeply a tree nests: a lone condition is 0, each and/or/not above it adds one. */
export function depthOf(node: FilterNode): number {
  switch (node.kind) {
    case 'condition':
      return 0
    case 'not':
      return 1 + depthOf(node.child)
    default:
      return 1 + Math.max(...node.children.map(depthOf))
  }
}

export function conditionsOf(node: FilterNode): FilterCondition[] {
  switch (node.kind) {
    case 'condition':
      return [node]
    case 'not':
      return conditionsOf(node.child)
    default:
      return node.children.flatMap(conditionsOf)
  }
}
