import type { ComparisonOp, FilterCondition, FilterNode, FilterOperand } from './ast.ts'
import { type FilterProblem, filterInvalid, quote } from './filter-error.ts'
import {
  assertIdentifier,
  type EntityMetadata,
  type FieldMetadata,
  type FieldType,
  targetOf,
} from './metadata.ts'
import { type BoundValue, checkValue } from './values.ts'
import { VARIABLE_NAMES, variableFits, variableOf } from './variables.ts'

/** Where a field's value lives: a column, or a key of the jsonb column holding custom fields. */
export type FieldStorage =
  | { kind: 'column'; column: string }
  | { kind: 'custom'; column: string; path: readonly string[] }

/** A field path resolved against metadata: only these names ever reach SQL. */
export interface ResolvedField {
  /** the path as written, for messages */
  name: string
  meta: FieldMetadata
  storage: FieldStorage
  /** set when the path goes through a reference: the reference on the filtered entity */
  via?: { reference: ResolvedField; target: EntityMetadata }
}

export type CheckedOperand =
  | { kind: 'value'; value: BoundValue }
  | { kind: 'variable'; name: string; at: string }

export interface CheckedCondition {
  kind: 'condition'
  field: ResolvedField
  op: ComparisonOp
  /** empty for is_null/is_not_null, one operand for the others, the list (or a list variable) for in */
  operands: CheckedOperand[]
  at: string
}

export type CheckedFilter =
  | CheckedCondition
  | { kind: 'and' | 'or'; children: CheckedFilter[] }
  | { kind: 'not'; child: CheckedFilter }

const ORDERED: ComparisonOp[] = [
  'eq',
  'ne',
  'lt',
  'lte',
  'gt',
  'gte',
  'in',
  'not_in',
  'is_null',
  'is_not_null',
]
const EQUALITY: ComparisonOp[] = ['eq', 'ne', 'in', 'not_in', 'is_null', 'is_not_null']

/** Which operators each type accepts: `contains` on a number or `<` on a boolean is refused. */
export const OPERATORS: Readonly<Record<FieldType, readonly ComparisonOp[]>> = {
  text: [...ORDERED, 'contains', 'starts_with'],
  integer: ORDERED,
  decimal: ORDERED,
  money: ORDERED,
  date: ORDERED,
  datetime: ORDERED,
  boolean: ['eq', 'ne', 'is_null', 'is_not_null'],
  select: EQUALITY,
  uuid: EQUALITY,
  reference: EQUALITY,
  // has any of (in), has none of (not in), has this option (contains), has none at all (is null)
  multi_select: ['in', 'not_in', 'contains', 'is_null', 'is_not_null'],
  // the same, over the ids a many-to-many field links to
  links: ['in', 'not_in', 'contains', 'is_null', 'is_not_null'],
  json: ['is_null', 'is_not_null'],
}

/**
 * Checks a parsed filter against an entity's metadata: every field exists and may be filtered,
 * every operator suits its field's type, every value has the right type, every variable exists
 * and fits. Reports all problems at once, each with where it is. Needs no context: a record rule
 * is checked when it is saved, its variables resolved each time it is compiled.
 */
export function checkFilter(node: FilterNode, entity: EntityMetadata): CheckedFilter {
  const problems: FilterProblem[] = []
  const checked = checkNode(node, entity, problems)
  if (problems.length > 0 || !checked) throw filterInvalid(problems)
  return checked
}

/** Undefined when a problem was found (and recorded) below this node. */
function checkNode(
  node: FilterNode,
  entity: EntityMetadata,
  problems: FilterProblem[],
): CheckedFilter | undefined {
  switch (node.kind) {
    case 'condition':
      return checkCondition(node, entity, problems)
    case 'not': {
      const child = checkNode(node.child, entity, problems)
      return child && { kind: 'not', child }
    }
    default: {
      const children = node.children.map((child) => checkNode(child, entity, problems))
      return children.every((child) => child !== undefined) ? { kind: node.kind, children } : undefined
    }
  }
}

function checkCondition(
  node: FilterCondition,
  entity: EntityMetadata,
  problems: FilterProblem[],
): CheckedCondition | undefined {
  const field = resolveField(node.field, entity)
  if (!field) {
    problems.push({ code: 'unknown_field', message: `Unknown field ${quote(node.field)}.`, at: node.at })
    return undefined
  }
  const { type } = field.meta
  if (!OPERATORS[type].includes(node.op)) {
    problems.push({
      code: 'invalid_operator',
      message: `The operator ${node.op} does not apply to ${quote(node.field)} (${type}); use one of ${OPERATORS[type].join(', ')}.`,
      at: node.at,
    })
    return undefined
  }
  const before = problems.length
  const values = node.value === undefined ? [] : Array.isArray(node.value) ? node.value : [node.value]
  const operands = values.map((operand) => checkOperand(operand, field, node.op, problems))
  if (problems.length > before || !operands.every((operand) => operand !== undefined)) return undefined
  return { kind: 'condition', field, op: node.op, operands, at: node.at }
}

function checkOperand(
  operand: FilterOperand,
  field: ResolvedField,
  op: ComparisonOp,
  problems: FilterProblem[],
): CheckedOperand | undefined {
  if (operand.kind !== 'variable') {
    const checked = checkValue(field.name, field.meta, operand)
    if (checked.ok) return { kind: 'value', value: checked.value }
    problems.push({ code: 'invalid_value', message: checked.message, at: operand.at })
    return undefined
  }
  const variable = variableOf(operand.name)
  const name = `$${operand.name}`
  if (!variable) {
    problems.push({
      code: 'unknown_variable',
      message: `Unknown variable ${quote(name)}; the variables are ${VARIABLE_NAMES.join(', ')}.`,
      at: operand.at,
    })
  } else if (variable.list && op !== 'in' && op !== 'not_in') {
    problems.push({
      code: 'invalid_value',
      message: `${name} is a list: use it with in or not in.`,
      at: operand.at,
    })
  } else if (!variableFits(variable, field.meta.type)) {
    problems.push({
      code: 'invalid_value',
      message: `${name} cannot be compared with ${quote(field.name)} (${field.meta.type}).`,
      at: operand.at,
    })
  } else {
    return { kind: 'variable', name: operand.name, at: operand.at }
  }
  return undefined
}

/**
 * `name`, `custom.key`, and one step through a reference: `partner.country`,
 * `partner.custom.key`, `custom.account_manager.name`.
 */
export function resolveField(
  path: string,
  entity: EntityMetadata,
  viaReference = true,
): ResolvedField | undefined {
  const [first, ...rest] = path.split('.')
  let field: ResolvedField | undefined
  let remaining: string[]
  if (first === 'custom' && entity.customFields && rest.length > 0) {
    const key = rest[0] as string
    const meta = own(entity.customFields, key)
    if (!meta || meta.filterable === false) return undefined
    const column = assertIdentifier(entity.customColumn ?? 'custom', 'custom column')
    field = {
      name: path,
      meta,
      storage: { kind: 'custom', column, path: jsonPath(meta.path ?? [key]) },
    }
    remaining = rest.slice(1)
  } else {
    const meta = own(entity.fields, first as string)
    if (!meta || meta.filterable === false) return undefined
    const column = assertIdentifier(meta.column, 'column')
    field = {
      name: path,
      meta,
      storage: meta.path ? { kind: 'custom', column, path: jsonPath(meta.path) } : { kind: 'column', column },
    }
    remaining = rest
  }
  if (remaining.length === 0) return field
  if (!viaReference || field.meta.type !== 'reference') return undefined
  const target = targetOf(field.meta)
  if (!target) throw new Error(`filters: the reference ${path} names no target entity`)
  const inner = resolveField(remaining.join('.'), target, false)
  if (!inner) return undefined
  return { ...inner, name: path, via: { reference: field, target } }
}

function jsonPath(path: readonly string[]): string[] {
  if (path.length === 0) throw new Error('filters: an empty jsonb path')
  return path.map((key) => assertIdentifier(key, 'jsonb key'))
}

/** Own properties only: a field called `constructor` or `__proto__` is unknown, not Object's. */
function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined
}
