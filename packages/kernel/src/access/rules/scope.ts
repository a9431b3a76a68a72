import { type Expression, type SqlBool, sql } from 'kysely'
import type { Tx } from '../../db/schema.ts'
import { Invalid } from '../../errors/errors.ts'
import { filterExpression } from '../../filters/compile.ts'
import type { EntityMetadata } from '../../filters/metadata.ts'
import type { FilterContext } from '../../filters/variables.ts'
import { requireEntity } from './registry.ts'
import {
  filterContextOf,
  type RuleSubject,
  readingRoles,
  rightsKeyOf,
  rolePermissionsOf,
  rolesOf,
} from './subject.ts'
import { rulesTx } from './tables.ts'

export interface StoredRecordRule {
  id: string
  role: string
  entity: string
  filter: string
  description: string | null
}

/**
 * The record rules of a subject's roles, loaded once per request, and the conditions they make.
 * `condition` is synchronous so the entity engine can hand it to compileFilter's `scope` option:
 * a client's `partner.name = 'x'` then only reaches partners the member may see.
 */
export interface RecordScopes {
  /** the subject's rules, every entity */
  rules: readonly StoredRecordRule[]
  context: FilterContext
  /** the rows of `entity` (aliased `alias`, its table name when absent) the subject may see */
  condition(entity: EntityMetadata, alias?: string): Expression<SqlBool>
  /** the subject's roles that grant reading `entity`: those its rules and masks combine over */
  readingRoles(entity: EntityMetadata): string[]
}

/** Loads the rules of every entity, or of `entityKeys` only (then only those may be asked for). */
export async function loadRecordScopes(
  trx: Tx,
  subject: RuleSubject,
  entityKeys?: readonly string[],
): Promise<RecordScopes> {
  const rules = await rulesOf(trx, rolesOf(subject), entityKeys)
  const permissions = await rolePermissionsOf(trx, subject)
  const context = await filterContextOf(trx, subject)
  return {
    rules,
    context,
    condition: (entity, alias) => {
      // rules of an entity that was not loaded would read as "no rule": every row
      if (entityKeys && !entityKeys.includes(entity.name))
        throw new Error(`access: record rules of ${entity.name} were not loaded`)
      return scopeCondition(entity, readingRoles(permissions, rightsKeyOf(entity)), rules, context, alias)
    },
    readingRoles: (entity) => readingRoles(permissions, rightsKeyOf(entity)),
  }
}

async function rulesOf(
  trx: Tx,
  roles: readonly string[],
  entityKeys: readonly string[] | undefined,
): Promise<StoredRecordRule[]> {
  if (roles.length === 0 || entityKeys?.length === 0) return []
  let query = rulesTx(trx)
    .selectFrom('record_rules')
    .select(['id', 'role', 'entity', 'filter', 'description'])
    .where('role', 'in', roles)
    .orderBy('id')
  if (entityKeys) query = query.where('entity', 'in', entityKeys)
  return query.execute()
}

/**
 * A member sees a row when ANY of their roles that read the entity allows it: roles add up, as
 * rights do. A reading role with no rule for the entity allows every row of it; a role with
 * several rules allows what any of them allows; roles without the entity's read right do not
 * count (see readingRoles). A member with no reading role sees nothing. There is no bypass for owners or admins: a rule written
 * for the admin role applies to admins, and the rule routes themselves are not filtered by rules.
 */
function scopeCondition(
  entity: EntityMetadata,
  roles: readonly string[],
  allRules: readonly StoredRecordRule[],
  context: FilterContext,
  alias?: string,
): Expression<SqlBool> {
  const rules = allRules.filter((rule) => rule.entity === entity.name)
  if (roles.length === 0) return sql<SqlBool>`false`
  if (roles.some((role) => !rules.some((rule) => rule.role === role))) return sql<SqlBool>`true`
  const allowed = rules.flatMap((rule) => {
    const compiled = compileRule(rule.filter, entity, context, alias)
    return compiled.ok ? [compiled.condition] : []
  })
  if (allowed.length === 0) return sql<SqlBool>`false`
  return sql<SqlBool>`(${sql.join(allowed, sql` or `)})`
}

export type CompiledRule = { ok: true; condition: Expression<SqlBool> } | { ok: false; error: Invalid }

/**
 * A stored rule as a condition. A rule that no longer validates (a field was removed, a
 * variable is missing for this member) allows nothing: access fails closed, and explain says why.
 */
export function compileRule(
  filter: string,
  entity: EntityMetadata,
  context: FilterContext,
  alias?: string,
): CompiledRule {
  try {
    return { ok: true, condition: filterExpression(filter, entity, { alias, context }) }
  } catch (err) {
    if (err instanceof Invalid) return { ok: false, error: err }
    throw err
  }
}

/**
 * The rows of `entityKey` the subject may see, as a condition for `.where(…)` on a query whose
 * table is aliased `alias` (the entity's table name when absent).
 */
export async function recordScope(
  trx: Tx,
  subject: RuleSubject,
  entityKey: string,
  alias?: string,
): Promise<Expression<SqlBool>> {
  const entity = await requireEntity(trx, entityKey)
  const scopes = await loadRecordScopes(trx, subject, [entityKey])
  return scopes.condition(entity, alias)
}
