import type { Static } from '@sinclair/typebox'
import { sql } from 'kysely'
import type { Tx } from '../../db/schema.ts'
import { Conflict, Invalid, NotFound } from '../../errors/errors.ts'
import type { EntityMetadata } from '../../filters/metadata.ts'
import { newId } from '../../ids.ts'
import { parse } from '../../schemas/validate.ts'
import { logRuleChange, type RuleAuthor } from './author.ts'
import { FieldRuleInput, FieldRulePatch, type RulesQuery } from './inputs.ts'
import { fieldNamesOf, keyFieldOf, requireEntity } from './registry.ts'
import { rulesTx } from './tables.ts'

const COLUMNS = [
  'id',
  'role',
  'entity',
  'field',
  'access',
  'created_at',
  'updated_at',
  'created_by',
  'updated_by',
  'version',
] as const

/** The field must be one of the entity's, and not its key (records could no longer be told apart). */
function checkField(field: string, entity: EntityMetadata): void {
  if (!fieldNamesOf(entity).includes(field))
    throw Invalid.field('field', `${entity.name} has no field ${JSON.stringify(field)}.`, 'unknown_field')
  if (field === keyFieldOf(entity))
    throw Invalid.field('field', `The key field ${field} cannot be hidden or read-only.`, 'key_field')
}

async function assertUnique(
  trx: Tx,
  rule: { role: string; entity: string; field: string },
  except?: string,
): Promise<void> {
  let query = rulesTx(trx)
    .selectFrom('field_rules')
    .select('id')
    .where('role', '=', rule.role)
    .where('entity', '=', rule.entity)
    .where('field', '=', rule.field)
  if (except) query = query.where('id', '<>', except)
  if (await query.executeTakeFirst()) {
    const message = `The role ${rule.role} already has a rule for ${rule.entity}.${rule.field}.`
    throw new Conflict(message, 'duplicate', [{ field: 'field', code: 'duplicate', message }])
  }
}

export async function createFieldRule(trx: Tx, by: RuleAuthor, input: unknown) {
  const body = parse(FieldRuleInput, input)
  checkField(body.field, await requireEntity(trx, body.entity))
  await assertUnique(trx, body)
  const rule = await rulesTx(trx)
    .insertInto('field_rules')
    .values({ tenant_id: by.tenantId, id: newId(), ...body, created_by: by.userId, updated_by: by.userId })
    .returning(COLUMNS)
    .executeTakeFirstOrThrow()
  await logRuleChange(trx, by, 'field_rule.created', { rule_id: rule.id, ...logged(rule) })
  return rule
}

/** What the security log keeps of a field rule. */
function logged(rule: { role: string; entity: string; field: string; access: string }) {
  return { role: rule.role, entity: rule.entity, field: rule.field, access: rule.access }
}

export async function listFieldRules(trx: Tx, query: Static<typeof RulesQuery> = {}) {
  let select = rulesTx(trx).selectFrom('field_rules').select(COLUMNS)
  if (query.entity) select = select.where('entity', '=', query.entity)
  if (query.role) select = select.where('role', '=', query.role)
  return select.orderBy('entity').orderBy('role').orderBy('field').execute()
}

/** One rule of this tenant, or 404 (also for another tenant's rule). */
export async function getFieldRule(trx: Tx, id: string) {
  const rule = await rulesTx(trx)
    .selectFrom('field_rules')
    .select(COLUMNS)
    .where('id', '=', id)
    .executeTakeFirst()
  if (!rule) throw new NotFound('No such field rule.')
  return rule
}

export async function updateFieldRule(trx: Tx, by: RuleAuthor, id: string, input: unknown) {
  const patch = parse(FieldRulePatch, input)
  const current = await getFieldRule(trx, id)
  const next = { ...current, ...patch }
  checkField(next.field, await requireEntity(trx, next.entity))
  await assertUnique(trx, next, id)
  const rule = await rulesTx(trx)
    .updateTable('field_rules')
    .set({
      role: next.role,
      entity: next.entity,
      field: next.field,
      access: next.access,
      updated_by: by.userId,
      updated_at: sql`now()`,
      version: sql`version + 1`,
    })
    .where('id', '=', id)
    .returning(COLUMNS)
    .executeTakeFirstOrThrow()
  await logRuleChange(trx, by, 'field_rule.updated', {
    rule_id: id,
    before: logged(current),
    after: logged(rule),
  })
  return rule
}

export async function deleteFieldRule(trx: Tx, by: RuleAuthor, id: string): Promise<void> {
  const deleted = await rulesTx(trx)
    .deleteFrom('field_rules')
    .where('id', '=', id)
    .returning(['id', 'role', 'entity', 'field', 'access'])
    .executeTakeFirst()
  if (!deleted) throw new NotFound('No such field rule.')
  await logRuleChange(trx, by, 'field_rule.deleted', { rule_id: id, ...logged(deleted) })
}
