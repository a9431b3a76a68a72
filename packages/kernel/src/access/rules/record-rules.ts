import type { Static } from '@sinclair/typebox'
import { sql } from 'kysely'
import type { Tx } from '../../db/schema.ts'
import { NotFound } from '../../errors/errors.ts'
import type { EntityMetadata } from '../../filters/metadata.ts'
import { parseFilter } from '../../filters/parse.ts'
import { checkFilter } from '../../filters/validate.ts'
import { newId } from '../../ids.ts'
import { parse } from '../../schemas/validate.ts'
import { logRuleChange, type RuleAuthor } from './author.ts'
import { RecordRuleInput, RecordRulePatch, type RulesQuery } from './inputs.ts'
import { requireEntity } from './registry.ts'
import { rulesTx } from './tables.ts'

const COLUMNS = [
  'id',
  'role',
  'entity',
  'filter',
  'description',
  'created_at',
  'updated_at',
  'created_by',
  'updated_by',
  'version',
] as const

/**
 * A rule's filter is checked when it is saved, against the entity's metadata: it parses, names
 * only fields the entity has, uses operators that suit them, values of the right type and known
 * variables. Otherwise 400 naming `filter`, with where and what. Variables are resolved each time
 * the rule is applied, for the member it is applied to.
 */
export function checkRuleFilter(filter: string, entity: EntityMetadata): void {
  checkFilter(parseFilter(filter), entity)
}

export async function createRecordRule(trx: Tx, by: RuleAuthor, input: unknown) {
  const body = parse(RecordRuleInput, input)
  checkRuleFilter(body.filter, await requireEntity(trx, body.entity))
  const rule = await rulesTx(trx)
    .insertInto('record_rules')
    .values({
      tenant_id: by.tenantId,
      id: newId(),
      role: body.role,
      entity: body.entity,
      filter: body.filter,
      description: body.description ?? null,
      created_by: by.userId,
      updated_by: by.userId,
    })
    .returning(COLUMNS)
    .executeTakeFirstOrThrow()
  await logRuleChange(trx, by, 'record_rule.created', { rule_id: rule.id, ...logged(rule) })
  return rule
}

/** What the security log keeps of a record rule. */
function logged(rule: { role: string; entity: string; filter: string }) {
  return { role: rule.role, entity: rule.entity, filter: rule.filter }
}

export async function listRecordRules(trx: Tx, query: Static<typeof RulesQuery> = {}) {
  let select = rulesTx(trx).selectFrom('record_rules').select(COLUMNS)
  if (query.entity) select = select.where('entity', '=', query.entity)
  if (query.role) select = select.where('role', '=', query.role)
  return select.orderBy('entity').orderBy('role').orderBy('id').execute()
}

/** One rule of this tenant, or 404 (also for another tenant's rule). */
export async function getRecordRule(trx: Tx, id: string) {
  const rule = await rulesTx(trx)
    .selectFrom('record_rules')
    .select(COLUMNS)
    .where('id', '=', id)
    .executeTakeFirst()
  if (!rule) throw new NotFound('No such record rule.')
  return rule
}

export async function updateRecordRule(trx: Tx, by: RuleAuthor, id: string, input: unknown) {
  const patch = parse(RecordRulePatch, input)
  const current = await getRecordRule(trx, id)
  const next = { ...current, ...patch }
  checkRuleFilter(next.filter, await requireEntity(trx, next.entity))
  const rule = await rulesTx(trx)
    .updateTable('record_rules')
    .set({
      role: next.role,
      entity: next.entity,
      filter: next.filter,
      description: next.description ?? null,
      updated_by: by.userId,
      updated_at: sql`now()`,
      version: sql`version + 1`,
    })
    .where('id', '=', id)
    .returning(COLUMNS)
    .executeTakeFirstOrThrow()
  await logRuleChange(trx, by, 'record_rule.updated', {
    rule_id: id,
    before: logged(current),
    after: logged(rule),
  })
  return rule
}

export async function deleteRecordRule(trx: Tx, by: RuleAuthor, id: string): Promise<void> {
  const deleted = await rulesTx(trx)
    .deleteFrom('record_rules')
    .where('id', '=', id)
    .returning(['id', 'role', 'entity', 'filter'])
    .executeTakeFirst()
  if (!deleted) throw new NotFound('No such record rule.')
  await logRuleChange(trx, by, 'record_rule.deleted', { rule_id: id, ...logged(deleted) })
}
