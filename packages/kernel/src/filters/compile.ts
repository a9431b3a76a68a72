import { type Expression, type RawBuilder, type SqlBool, sql } from 'kysely'
import type { FilterNode } from './ast.ts'
import { boundSql, escapeLike, jsonSql, textArraySql, valueSql } from './field-sql.ts'
import { filterError } from './filter-error.ts'
import { assertIdentifier, type EntityMetadata } from './metadata.ts'
import { parseFilter } from './parse.ts'
import { type CheckedCondition, type CheckedFilter, checkFilter, type ResolvedField } from './validate.ts'
import { type BoundValue, checkValue } from './values.ts'
import { type FilterContext, variableOf } from './variables.ts'

export interface CompileFilterOptions {
  /** the alias of the entity's table in the caller's query; the table name when absent */
  alias?: string
  /** what `$user.*`, `$today` and `$now` stand for */
  context?: FilterContext
  /**
   * An extra condition on a referenced entity's rows, inside the EXISTS that reaches them: access
   * control passes the target's record rules here, so `partner.name = 'x'` cannot probe partners
   * the user may not see.
   */
  scope?: (target: EntityMetadata, alias: string) => Expression<SqlBool> | undefined
}

/**
 * Compiles a filter into a condition on the entity's table, for `.where(…)` in a Kysely
 * select, update or delete. Checks the filter against the metadata first. Every SQL name comes
 * from metadata, every value is a bound parameter cast to its field's type.
 *
 * Meaning: a comparison with a missing (null) value is false, except `!=` and `not in`, which
 * hold for it (a deal with no stage is "not won"); `not` is the exact complement of what it
 * negates; a condition through a reference (`partner.country = 'FR'`) holds when the referenced
 * record exists and satisfies it.
 */
export function compileFilter(
  filter: FilterNode,
  entity: EntityMetadata,
  options: CompileFilterOptions = {},
): Expression<SqlBool> {
  const checked = checkFilter(filter, entity)
  const alias = assertIdentifier(options.alias ?? entity.table, 'table alias')
  let references = 0
  const compiler: Compiler = {
    entity,
    context: options.context ?? {},
    scope: options.scope,
    nextAlias: () => `${alias.slice(0, 40)}__ref${++references}`,
  }
  return nodeSql(checked, alias, compiler)
}

interface Compiler {
  entity: EntityMetadata
  context: FilterContext
  scope: CompileFilterOptions['scope']
  nextAlias(): string
}

function nodeSql(node: CheckedFilter, alias: string, compiler: Compiler): RawBuilder<SqlBool> {
  switch (node.kind) {
    case 'condition':
      return node.field.via ? referenceSql(node, alias, compiler) : conditionSql(node, alias, compiler)
    // `is not true` rather than `not`: a comparison with null is unknown, and `not unknown` would
    // drop the row that the negation should keep
    case 'not':
      return sql<SqlBool>`((${nodeSql(node.child, alias, compiler)}) is not true)`
    default:
      return sql<SqlBool>`(${sql.join(
        node.children.map((child) => nodeSql(child, alias, compiler)),
        node.kind === 'and' ? sql` and ` : sql` or `,
      )})`
  }
}

/** `partner.country = 'FR'`: exists (select 1 from partners r where r.id = d.partner_id and …). */
function referenceSql(node: CheckedCondition, alias: string, compiler: Compiler): RawBuilder<SqlBool> {
  const { reference, target } = node.field.via as NonNullable<ResolvedField['via']>
  const inner = compiler.nextAlias()
  const key = assertIdentifier(target.key ?? 'id', 'key column')
  const parts: RawBuilder<unknown>[] = [sql`${sql.id(inner, key)} = ${valueSql(reference, alias)}`]
  if (compiler.entity.tenantColumn && target.tenantColumn)
    parts.push(
      sql`${sql.id(inner, assertIdentifier(target.tenantColumn, 'tenant column'))} = ${sql.id(alias, assertIdentifier(compiler.entity.tenantColumn, 'tenant column'))}`,
    )
  const scope = compiler.scope?.(target, inner)
  if (scope) parts.push(sql`(${scope})`)
  parts.push(conditionSql({ ...node, field: { ...node.field, via: undefined } }, inner, compiler))
  return sql<SqlBool>`exists (select 1 from ${sql.id(assertIdentifier(target.table, 'table'))} as ${sql.id(inner)} where ${sql.join(parts, sql` and `)})`
}

function conditionSql(node: CheckedCondition, alias: string, compiler: Compiler): RawBuilder<SqlBool> {
  const { field, op } = node
  const values = operandValues(node, compiler.context)
  if (field.meta.type === 'multi_select') return multiSelectSql(node, values, alias)
  if (field.meta.type === 'links') return linksSql(node, values, alias, compiler)
  const lhs = valueSql(field, alias)
  const bound = (value: BoundValue) => boundSql(value, field.meta.type)
  const first = values[0] as BoundValue
  switch (op) {
    case 'eq':
      return sql<SqlBool>`(${lhs} = ${bound(first)})`
    case 'ne':
      return sql<SqlBool>`(${lhs} is distinct from ${bound(first)})`
    case 'lt':
      return sql<SqlBool>`(${lhs} < ${bound(first)})`
    case 'lte':
      return sql<SqlBool>`(${lhs} <= ${bound(first)})`
    case 'gt':
      return sql<SqlBool>`(${lhs} > ${bound(first)})`
    case 'gte':
      return sql<SqlBool>`(${lhs} >= ${bound(first)})`
    case 'in':
      if (values.length === 0) return sql<SqlBool>`false`
      return sql<SqlBool>`(${lhs} in (${sql.join(values.map(bound))}))`
    case 'not_in':
      if (values.length === 0) return sql<SqlBool>`true`
      return sql<SqlBool>`((${lhs} in (${sql.join(values.map(bound))})) is not true)`
    case 'contains':
      return sql<SqlBool>`(${lhs} ilike ${`%${escapeLike(String(first))}%`} escape ${sql.lit('\\')})`
    case 'starts_with':
      return sql<SqlBool>`(${lhs} ilike ${`${escapeLike(String(first))}%`} escape ${sql.lit('\\')})`
    case 'is_null':
      return sql<SqlBool>`(${lhs} is null)`
    case 'is_not_null':
      return sql<SqlBool>`(${lhs} is not null)`
  }
}

/**
 * A multi-select is a set of options: `in` is "has any of", `not in` "has none of", `contains`
 * "has this one", `is null` "has none at all". A column is text[]; a custom field a jsonb array.
 */
function multiSelectSql(node: CheckedCondition, values: BoundValue[], alias: string): RawBuilder<SqlBool> {
  const custom = node.field.storage.kind === 'custom'
  const set = jsonSql(node.field, alias)
  const empty = custom
    ? sql<SqlBool>`(coalesce(${set}, 'null'::jsonb) in ('null'::jsonb, '[]'::jsonb))`
    : sql<SqlBool>`(coalesce(cardinality(${set}), 0) = 0)`
  const hasAny = (items: BoundValue[]) =>
    items.length === 0
      ? sql<SqlBool>`false`
      : custom
        ? sql<SqlBool>`(${set} ?| ${textArraySql(items)})`
        : sql<SqlBool>`(${set} && ${textArraySql(items)})`
  switch (node.op) {
    case 'in':
    case 'contains':
      return hasAny(values)
    case 'not_in':
      return sql<SqlBool>`((${hasAny(values)}) is not true)`
    case 'is_null':
      return empty
    case 'is_not_null':
      return sql<SqlBool>`(not ${empty})`
    default:
      throw new Error(`filters: ${node.op} on a multi-select passed validation`)
  }
}

/**
 * A many-to-many field is a set of target ids, with multi-select's meaning: `in` has any of them,
 * `not in` none of them, `is null` none at all. Its rows are `entity_links` of this entity and field.
 */
function linksSql(
  node: CheckedCondition,
  values: BoundValue[],
  alias: string,
  compiler: Compiler,
): RawBuilder<SqlBool> {
  const links = node.field.meta.links
  if (!links) throw new Error(`filters: the many-to-many ${node.field.name} names no link rows`)
  const key = assertIdentifier(compiler.entity.key ?? 'id', 'key column')
  const has = (ids: BoundValue[] | undefined) =>
    sql<SqlBool>`exists (select 1 from entity_links as l where l.entity = ${links.entity} and l.field = ${links.field}
      and l.record_id = ${sql.id(alias, key)}${ids ? sql` and l.target_id in (${sql.join(ids.map((id) => boundSql(id, 'uuid')))})` : sql``})`
  switch (node.op) {
    case 'in':
    case 'contains':
      return values.length === 0 ? sql<SqlBool>`false` : has(values)
    case 'not_in':
      return values.length === 0 ? sql<SqlBool>`true` : sql<SqlBool>`(not ${has(values)})`
    case 'is_null':
      return sql<SqlBool>`(not ${has(undefined)})`
    case 'is_not_null':
      return has(undefined)
    default:
      throw new Error(`filters: ${node.op} on a many-to-many passed validation`)
  }
}

/**
 * The condition's values with variables resolved from the context. A scalar variable that is
 * missing or does not fit is an error; values of a list variable that cannot match the field
 * (a role that is no option of a select) are left out, as they could match no row.
 */
function operandValues(node: CheckedCondition, context: FilterContext): BoundValue[] {
  return node.operands.flatMap((operand) => {
    if (operand.kind === 'value') return [operand.value]
    const variable = variableOf(operand.name)
    const resolved = variable?.resolve(context)
    if (!variable || resolved === undefined)
      throw filterError('unknown_variable', `$${operand.name} is not available here.`, operand.at)
    const items = typeof resolved === 'string' ? [resolved] : resolved
    const checked = items.map((value) =>
      checkValue(node.field.name, node.field.meta, { kind: 'string', value, at: operand.at }),
    )
    if (!variable.list) {
      const [only] = checked
      if (!only?.ok) throw filterError('invalid_value', `$${operand.name} does not fit here.`, operand.at)
    }
    return checked.flatMap((c) => (c.ok ? [c.value] : []))
  })
}

/** Parses (either form), checks and compiles in one step: what a `filter=` parameter needs. */
export function filterExpression(
  input: unknown,
  entity: EntityMetadata,
  options: CompileFilterOptions = {},
): Expression<SqlBool> {
  return compileFilter(parseFilter(input), entity, options)
}
