import { type Expression, type SqlBool, sql } from 'kysely'
import type { Tx } from '../../db/schema.ts'
import { NotFound } from '../../errors/errors.ts'
import { assertIdentifier, type EntityMetadata } from '../../filters/metadata.ts'
import { parse } from '../../schemas/validate.ts'
import { combineFieldRules } from './field-access.ts'
import { ExplainQuery } from './inputs.ts'
import { requireEntity } from './registry.ts'
import { compileRule, loadRecordScopes } from './scope.ts'
import { type RuleSubject, readingRoles, rightsKeyOf, rolePermissionsOf } from './subject.ts'
import { rulesTx } from './tables.ts'

export interface ExplainedRecordRule {
  id: string
  filter: string
  description: string | null
  /** whether the record satisfies the rule for this member */
  matches: boolean
  /** why a rule that no longer validates allows nothing */
  error?: string
}

export interface ExplainedRole {
  role: string
  /** whether this role lets the member read the record */
  grants_read: boolean
  reason: 'no_read_permission' | 'no_record_rules' | 'record_rule_matches' | 'no_record_rule_matches'
  record_rules: ExplainedRecordRule[]
  field_rules: { id: string; field: string; access: 'hidden' | 'read_only' }[]
}

export interface AccessExplanation {
  entity: string
  id: string
  member: { id: string; user_id: string; email: string; status: string; roles: string[] }
  /** the member's record scope run against the record: whether they can read it */
  can_read: boolean
  reason: 'granted_by_role' | 'no_role_grants' | 'member_has_no_roles'
  roles: ExplainedRole[]
  fields: { hidden: string[]; read_only: string[] }
}

const ALIAS = 'record'

export interface ExplainOptions {
  /**
   * The member's allowed companies, for `$user.company_ids`, read the way authentication reads
   * them for the member's own requests; every company of the tenant when absent (RuleSubject).
   */
  companyIdsOf?: (trx: Tx, membershipId: string) => Promise<readonly string[]>
}

/**
 * Answers "why can (not) this member see this record, and which of its fields?" for an
 * administrator: each of the member's roles with its record rules (each run against the record)
 * and field rules, then the combined outcome computed exactly as reads compute it. The record's
 * values are never returned: the member might not be allowed them, and the administrator asks
 * about access, not content. 404 for a member or record that is not in this tenant.
 */
export async function explainAccess(
  trx: Tx,
  input: unknown,
  options: ExplainOptions = {},
): Promise<AccessExplanation> {
  const query = parse(ExplainQuery, input)
  const entity = await requireEntity(trx, query.entity)
  const member = await rulesTx(trx)
    .selectFrom('member_directory')
    .select(['id', 'user_id', 'email', 'status', 'roles'])
    .where((eb) => eb.or([eb('id', '=', query.member), eb('user_id', '=', query.member)]))
    .executeTakeFirst()
  if (!member) throw new NotFound('No such member.')
  if (!(await recordMatches(trx, entity, query.id, sql<SqlBool>`true`))) throw new NotFound('No such record.')

  const roles = [...new Set(member.roles)]
  const companyIds = await options.companyIdsOf?.(trx, member.id)
  const subject: RuleSubject = { userId: member.user_id, roles, ...(companyIds ? { companyIds } : {}) }
  const scopes = await loadRecordScopes(trx, subject, [entity.name])
  const reading = new Set(readingRoles(await rolePermissionsOf(trx, subject), rightsKeyOf(entity)))
  const fieldRules =
    roles.length === 0
      ? []
      : await rulesTx(trx)
          .selectFrom('field_rules')
          .select(['id', 'role', 'field', 'access'])
          .where('entity', '=', entity.name)
          .where('role', 'in', roles)
          .orderBy('field')
          .execute()

  const explained: ExplainedRole[] = []
  for (const role of roles) {
    const record_rules: ExplainedRecordRule[] = []
    for (const rule of scopes.rules.filter((r) => r.role === role)) {
      const compiled = compileRule(rule.filter, entity, scopes.context, ALIAS)
      record_rules.push({
        id: rule.id,
        filter: rule.filter,
        description: rule.description,
        matches: compiled.ok ? await recordMatches(trx, entity, query.id, compiled.condition) : false,
        ...(compiled.ok ? {} : { error: compiled.error.message }),
      })
    }
    const matched = record_rules.some((r) => r.matches)
    explained.push({
      role,
      grants_read: reading.has(role) && (record_rules.length === 0 || matched),
      reason: !reading.has(role)
        ? 'no_read_permission'
        : record_rules.length === 0
          ? 'no_record_rules'
          : matched
            ? 'record_rule_matches'
            : 'no_record_rule_matches',
      record_rules,
      field_rules: fieldRules
        .filter((r) => r.role === role)
        .map(({ id, field, access }) => ({ id, field, access })),
    })
  }

  // the verdict comes from the same condition reads use, not from the per-role summary above
  const canRead = await recordMatches(trx, entity, query.id, scopes.condition(entity, ALIAS))
  const access = combineFieldRules(entity, [...reading], fieldRules)
  return {
    entity: entity.name,
    id: query.id,
    member: { ...member, roles },
    can_read: canRead,
    reason: roles.length === 0 ? 'member_has_no_roles' : canRead ? 'granted_by_role' : 'no_role_grants',
    roles: explained,
    fields: { hidden: [...access.hidden].sort(), read_only: [...access.readOnly].sort() },
  }
}

/** Whether the record `id` exists in this tenant and satisfies `condition` (on alias `record`). */
async function recordMatches(
  trx: Tx,
  entity: EntityMetadata,
  id: string,
  condition: Expression<SqlBool>,
): Promise<boolean> {
  const table = sql.id(assertIdentifier(entity.table, 'table'))
  const key = sql.id(ALIAS, assertIdentifier(entity.key ?? 'id', 'key column'))
  const { rows } = await sql<{ found: boolean }>`
    select exists (select 1 from ${table} as ${sql.id(ALIAS)} where ${key} = ${id}::uuid and ${condition}) as found`.execute(
    trx,
  )
  return rows[0]?.found === true
}
