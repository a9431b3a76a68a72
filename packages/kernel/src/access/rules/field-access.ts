import type { Tx } from '../../db/schema.ts'
import { Forbidden } from '../../errors/errors.ts'
import type { EntityMetadata } from '../../filters/metadata.ts'
import { fieldNamesOf, requireEntity } from './registry.ts'
import { type RuleSubject, readingRoles, rightsKeyOf, rolePermissionsOf } from './subject.ts'
import { type FieldAccessLevel, rulesTx } from './tables.ts'

/** What a subject may not do with an entity's fields; custom fields are named `custom.<key>`. */
export interface FieldAccess {
  /** never returned, and never written */
  hidden: ReadonlySet<string>
  /** returned, never written (hidden fields are not repeated here) */
  readOnly: ReadonlySet<string>
}

type Level = FieldAccessLevel | 'full'
const STRICTNESS: Record<Level, number> = { full: 0, read_only: 1, hidden: 2 }

/**
 * Field masks combine like record rules, over the roles that read the entity (readingRoles):
 * roles add up, so a field is hidden only when EVERY one of those roles hides it, and read-only only when every role at least restricts it (some
 * hide it, the rest make it read-only). A role without a rule for a field grants it fully, so
 * giving someone an extra reading role can only widen what they see, never narrow it. A member
 * with no reading role sees no field at all.
 */
export async function fieldAccess(trx: Tx, subject: RuleSubject, entityKey: string): Promise<FieldAccess> {
  const entity = await requireEntity(trx, entityKey)
  return fieldAccessOn(trx, entity, readingRoles(await rolePermissionsOf(trx, subject), rightsKeyOf(entity)))
}

/** fieldAccess for a caller that has the entity and the subject's roles reading it already. */
export async function fieldAccessOn(
  trx: Tx,
  entity: EntityMetadata,
  roles: readonly string[],
): Promise<FieldAccess> {
  const rules =
    roles.length === 0
      ? []
      : await rulesTx(trx)
          .selectFrom('field_rules')
          .select(['role', 'field', 'access'])
          .where('entity', '=', entity.name)
          .where('role', 'in', roles)
          .execute()
  return combineFieldRules(entity, roles, rules)
}

/** The field access that `roles` get from their field rules on `entity` (see fieldAccess). */
export function combineFieldRules(
  entity: EntityMetadata,
  roles: readonly string[],
  rules: readonly { role: string; field: string; access: FieldAccessLevel }[],
): FieldAccess {
  if (roles.length === 0) return { hidden: new Set(fieldNamesOf(entity)), readOnly: new Set() }
  const hidden = new Set<string>()
  const readOnly = new Set<string>()
  for (const field of new Set(rules.map((rule) => rule.field))) {
    const levels = roles.map(
      (role): Level => rules.find((rule) => rule.role === role && rule.field === field)?.access ?? 'full',
    )
    const least = levels.reduce((a, b) => (STRICTNESS[a] <= STRICTNESS[b] ? a : b))
    if (least === 'hidden') hidden.add(field)
    else if (least === 'read_only') readOnly.add(field)
  }
  return { hidden, readOnly }
}

/** A copy of `record` without its hidden fields (custom ones removed from its `custom` object). */
export function maskRecord<T extends Record<string, unknown>>(record: T, access: FieldAccess): Partial<T> {
  const masked: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(record)) {
    if (access.hidden.has(name)) continue
    masked[name] = name === 'custom' && isObject(value) ? maskCustom(value, access) : value
  }
  return masked as Partial<T>
}

function maskCustom(custom: Record<string, unknown>, access: FieldAccess): Record<string, unknown> {
  return Object.fromEntries(Object.entries(custom).filter(([key]) => !access.hidden.has(`custom.${key}`)))
}

/**
 * Refuses a write (create or update body) that sets a field the subject may not change: 403
 * naming the first such field. Hidden fields are refused the same way as read-only ones, with the
 * same message, so a write cannot tell them apart either.
 */
export function assertWritable(input: Record<string, unknown>, access: FieldAccess): void {
  const refused = (name: string) => access.hidden.has(name) || access.readOnly.has(name)
  for (const [name, value] of Object.entries(input)) {
    const field = refused(name)
      ? name
      : name === 'custom' && isObject(value)
        ? Object.keys(value)
            .map((key) => `custom.${key}`)
            .find(refused)
        : undefined
    if (field) throw new Forbidden(`You may not change the field ${field}.`, 'field_read_only')
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * The metadata a member's own `filter=` and `sort=` are checked against: hidden fields become
 * unfilterable and so read as unknown, and a filter cannot probe values the member cannot read.
 */
export function visibleMetadata(entity: EntityMetadata, access: FieldAccess): EntityMetadata {
  const hide = <T extends { filterable?: boolean }>(prefix: string, fields: Readonly<Record<string, T>>) =>
    Object.fromEntries(
      Object.entries(fields).map(([name, field]) => [
        name,
        access.hidden.has(`${prefix}${name}`) ? { ...field, filterable: false } : field,
      ]),
    )
  return {
    ...entity,
    fields: hide('', entity.fields),
    ...(entity.customFields ? { customFields: hide('custom.', entity.customFields) } : {}),
  }
}
