import type { Tx } from '../db/schema.ts'
import { Forbidden } from '../errors/errors.ts'
import type { Actor } from '../identity/authenticate.ts'
import { can } from './can.ts'
import { describePermission, firstNotHeld } from './grants.ts'
import { ALL_PERMISSIONS } from './permissions.ts'
import { entityMetadata } from './rules/registry.ts'
import { readingRoles, rightsKeyOf, rolePermissionsOf } from './rules/subject.ts'
import { type FieldAccessLevel, rulesTx } from './rules/tables.ts'

/**
 * A member can never grant a right they do not hold themselves. A role grants two things: its
 * permissions, and the rows and fields its record rules and field rules leave open. Both are
 * checked here, for every place a role is handed out or widened: a member's roles, an
 * invitation, a role's permissions, the SSO default role.
 */

/** Every permission of each role must be the actor's: 403 naming the first role that has more. */
export function assertRolesHeld(
  actor: Actor,
  permissionsByRole: ReadonlyMap<string, readonly string[]>,
): void {
  for (const [role, permissions] of permissionsByRole) {
    const missing = firstNotHeld(permissions, actor.permissions)
    if (missing !== undefined) {
      throw new Forbidden(
        `The role "${role}" grants ${describePermission(missing)}, which you do not hold: you cannot grant it.`,
        'permission_not_held',
      )
    }
  }
}

/** Whoever holds it may rewrite any role's rules, their own included: rules do not bound them. */
const RULE_MANAGER = 'kernel.access_rule:manage'

type Level = FieldAccessLevel | 'full'
const STRICTNESS: Record<Level, number> = { full: 0, read_only: 1, hidden: 2 }

/**
 * Refuses (403) to hand out `granted` roles whose record or field rules would open more than the
 * actor's own roles leave open to the actor.
 *
 * Only roles that grant reading an entity take part (as in reads: readingRoles), judged by the
 * entity's rights key (rightsKeyOf): rules on a child entity count for roles reading its parent.
 * Record rules: where EVERY such role of the actor has record rules for an entity (so the actor
 * sees only some of its rows), each granted role that reads it must have record rules for it too, and only filters
 * one of the actor's roles has for it, compared as written. Filters are not compared for
 * meaning (whether one filter selects fewer rows than another is not decidable in general), so a
 * narrower filter written differently is refused too: safe, and someone holding
 * `kernel.access_rule:manage` can still grant it. `$user` variables stand for the grantee, so a
 * granted `owner_id = $user.id` opens the grantee's own rows, as it does the actor's.
 * Field rules: a field every role of the actor hides (or makes read-only) must be hidden (or at
 * least read-only) by each granted role.
 *
 * The check is skipped for holders of `kernel.access_rule:manage`: they can change any rule,
 * their own roles' included, so rules do not bound what they could grant. `onlyEntities` narrows
 * the check to entities a change concerns (a role's added permissions); it is asked with each
 * entity's rights key, since a child entity's rights are its parent's.
 */
export async function assertRulesNotWidened(
  trx: Tx,
  actor: Actor,
  granted: readonly string[],
  onlyEntities: (entity: string) => boolean = () => true,
  /** granted roles' permissions as they are about to be saved (a role being created or changed) */
  pending?: { role: string; permissions: readonly string[] },
): Promise<void> {
  if (granted.length === 0 || can(actor, RULE_MANAGER)) return
  const own = [...new Set(actor.roles)]
  if (own.length === 0) return
  const roles = [...new Set([...own, ...granted])]
  const db = rulesTx(trx)
  const records = await db
    .selectFrom('record_rules')
    .select(['role', 'entity', 'filter'])
    .where('role', 'in', roles)
    .execute()
  const fields = await db
    .selectFrom('field_rules')
    .select(['role', 'entity', 'field', 'access'])
    .where('role', 'in', roles)
    .execute()

  // only roles that read an entity take part in its rules and masks (see readingRoles)
  const permissions = await rolePermissionsOf(trx, { userId: actor.userId, roles })
  if (pending) permissions.set(pending.role, [...pending.permissions])
  // only the actor's own rules can limit what they may grant
  const rightsKeys = await rightsKeysOf(
    trx,
    [...records, ...fields].filter((r) => own.includes(r.role)),
  )
  const rightsKey = (entity: string) => rightsKeys.get(entity) ?? entity
  const concerned = (entity: string) => onlyEntities(rightsKey(entity))
  const reading = (among: readonly string[], entity: string) =>
    readingRoles(permissions, rightsKey(entity)).filter((role) => among.includes(role))
  const filtersOf = (role: string, entity: string) =>
    records.filter((r) => r.role === role && r.entity === entity).map((r) => r.filter.trim())
  const limited = [...new Set(records.filter((r) => own.includes(r.role)).map((r) => r.entity))]
    .filter((entity) => {
      const mine = reading(own, entity)
      return concerned(entity) && mine.length > 0 && mine.every((role) => filtersOf(role, entity).length > 0)
    })
    .sort()
  for (const entity of limited) {
    const mine = new Set(reading(own, entity).flatMap((role) => filtersOf(role, entity)))
    for (const role of reading(granted, entity)) {
      const theirs = filtersOf(role, entity)
      const wider = theirs.find((filter) => !mine.has(filter))
      if (theirs.length === 0 || wider !== undefined) {
        throw new Forbidden(
          `${
            wider === undefined
              ? `The role "${role}" has no record rule for ${entity}`
              : `The role "${role}" has the record rule ${JSON.stringify(wider)} for ${entity}, which none of your roles has`
          }, while every role of yours limits the rows of ${entity} you see: you cannot grant it. Someone who manages access rules can.`,
          'record_rules_not_held',
        )
      }
    }
  }

  const levelOf = (role: string, entity: string, field: string): Level =>
    fields.find((r) => r.role === role && r.entity === entity && r.field === field)?.access ?? 'full'
  const restricted = new Map(
    fields.filter((r) => own.includes(r.role)).map((r) => [`${r.entity} ${r.field}`, r] as const),
  )
  for (const { entity, field } of restricted.values()) {
    const ownReading = reading(own, entity)
    if (!concerned(entity) || ownReading.length === 0) continue
    const mine = ownReading
      .map((role) => levelOf(role, entity, field))
      .reduce((a, b) => (STRICTNESS[a] <= STRICTNESS[b] ? a : b))
    if (mine === 'full') continue
    const wider = reading(granted, entity).find(
      (role) => STRICTNESS[levelOf(role, entity, field)] < STRICTNESS[mine],
    )
    if (wider !== undefined) {
      throw new Forbidden(
        `The role "${wider}" leaves ${entity}.${field} ${levelOf(wider, entity, field) === 'full' ? 'open' : 'visible'}, while it is ${mine === 'hidden' ? 'hidden from' : 'read-only for'} you: you cannot grant it. Someone who manages access rules can.`,
        'field_rules_not_held',
      )
    }
  }
}

/**
 * The key whose read right reads each entity the rules name, as reads resolve it. An entity that
 * no longer exists keeps its own key: its rules apply to nothing.
 */
async function rightsKeysOf(trx: Tx, rules: readonly { entity: string }[]): Promise<Map<string, string>> {
  const keys = new Map<string, string>()
  for (const entity of new Set(rules.map((r) => r.entity))) {
    const meta = await entityMetadata(trx, entity)
    keys.set(entity, meta ? rightsKeyOf(meta) : entity)
  }
  return keys
}

/** The entities a set of permissions concerns (`sales.order:confirm` concerns `sales.order`; `*` all). */
export function concernsEntity(permissions: readonly string[]): (entity: string) => boolean {
  return (entity) => permissions.some((p) => p === ALL_PERMISSIONS || p.slice(0, p.indexOf(':')) === entity)
}
