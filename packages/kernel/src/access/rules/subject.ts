import type { Tx } from '../../db/schema.ts'
import type { EntityMetadata } from '../../filters/metadata.ts'
import type { FilterContext } from '../../filters/variables.ts'
import { holds } from '../grants.ts'
import { accessTx } from '../tables.ts'

/**
 * Whom rules are evaluated for. An Actor fits (userId, roles); `companyIds` are the member's
 * allowed companies once multi-company gives members some. Until then, or when absent, a member
 * is allowed every company of the tenant, which is what the tenant had before companies were
 * restricted.
 */
export interface RuleSubject {
  userId: string
  roles: readonly string[]
  companyIds?: readonly string[]
}

/** What `$user.id`, `$user.company_ids`, `$user.roles`, `$today` and `$now` stand for. */
export async function filterContextOf(trx: Tx, subject: RuleSubject): Promise<FilterContext> {
  const companyIds =
    subject.companyIds ?? (await trx.selectFrom('companies').select('id').execute()).map((c) => c.id)
  return {
    user: { id: subject.userId, company_ids: companyIds, roles: [...subject.roles] },
    now: new Date(),
  }
}

/** The subject's role keys, once each. */
export function rolesOf(subject: RuleSubject): string[] {
  return [...new Set(subject.roles)]
}

/** Each of the subject's roles with the permissions it grants (a role key unknown here grants none). */
export async function rolePermissionsOf(trx: Tx, subject: RuleSubject): Promise<Map<string, string[]>> {
  const roles = rolesOf(subject)
  const stored = await storedRolePermissions(trx, roles)
  return new Map(roles.map((role) => [role, stored.get(role) ?? []]))
}

/** The permissions of each of `keys` that names a role of the transaction's tenant; other keys are absent. */
export async function storedRolePermissions(
  trx: Tx,
  keys: readonly string[],
): Promise<Map<string, string[]>> {
  if (keys.length === 0) return new Map()
  const rows = await accessTx(trx)
    .selectFrom('roles')
    .select(['key', 'permissions'])
    .where('key', 'in', [...new Set(keys)])
    .execute()
  return new Map(rows.map((r) => [r.key, r.permissions]))
}

/**
 * The roles through which the subject reads `entityKey`: only those count when rules and masks
 * combine. A role that does not grant the entity's read right gives no access to it, so its
 * having no rule for the entity must not lift the rules of the roles that do grant it (Odoo
 * likewise only unites the rules of the groups that reach the model).
 */
export function readingRoles(
  permissions: ReadonlyMap<string, readonly string[]>,
  entityKey: string,
): string[] {
  return [...permissions].filter(([, held]) => holds([...held], `${entityKey}:read`)).map(([role]) => role)
}

/** The key whose read right lets one read `entity`: a child entity is read through its parent. */
export function rightsKeyOf(entity: EntityMetadata): string {
  return entity.rightsOf ?? entity.name
}
