import { type Expression, type SqlBool, sql } from 'kysely'
import { assertCan } from '../../access/can.ts'
import { type FieldAccess, fieldAccessOn, visibleMetadata } from '../../access/rules/field-access.ts'
import { loadRecordScopes, type RecordScopes } from '../../access/rules/scope.ts'
import type { EntityMetadata } from '../../filters/metadata.ts'
import { type EntityContext, remember } from '../context.ts'
import { type EntityModel, loadModel } from '../model.ts'

/**
 * Everything access control says about one entity for one request, loaded once: record rules,
 * field masks and the company scope. Every generic read and write goes through `rows` and
 * `fields`, which is what makes enforcement central (issue 4, item 9).
 */
export interface EntityAccess {
  model: EntityModel
  fields: FieldAccess
  /** the metadata the member's own filter and sort are checked against (hidden fields unknown) */
  visible: EntityMetadata
  scopes: RecordScopes
  /** the rows the member may see or touch, on the entity's table aliased `alias` */
  rows(alias: string): Expression<SqlBool>
}

/** The permission an action on the entity needs: a line's are its parent's. */
export function permissionOf(model: EntityModel, action: string): string {
  return `${model.definition.childOf ?? model.key}:${action}`
}

/** Refuses (403) unless the member holds the entity's `action` right, then loads its access. */
export async function entityAccess(
  ctx: EntityContext,
  model: EntityModel,
  action: string,
): Promise<EntityAccess> {
  assertCan(ctx.actor, permissionOf(model, action))
  return loadAccess(ctx, model)
}

export function loadAccess(ctx: EntityContext, model: EntityModel): Promise<EntityAccess> {
  return remember(ctx, `access:${model.key}`, () => buildAccess(ctx, model))
}

/** The model of `key` as this operation sees it (undefined: no such entity). */
export function modelOf(ctx: EntityContext, key: string): Promise<EntityModel | undefined> {
  return remember(ctx, `model:${key}`, () => loadModel(ctx.db, key))
}

async function buildAccess(ctx: EntityContext, model: EntityModel): Promise<EntityAccess> {
  const scopes = await remember(ctx, 'scopes', () => loadRecordScopes(ctx.db, ctx.actor))
  // the masks combine over the same reading roles as the rules (fieldAccess, minus its look-ups)
  const fields = await fieldAccessOn(ctx.db, model.filter, scopes.readingRoles(model.filter))
  return {
    model,
    fields,
    visible: visibleMetadata(model.filter, fields),
    scopes,
    rows: (alias) => rowCondition(ctx, model, scopes, alias),
  }
}

function rowCondition(
  ctx: EntityContext,
  model: EntityModel,
  scopes: RecordScopes,
  alias: string,
): Expression<SqlBool> {
  const parts: Expression<SqlBool>[] = [scopes.condition(model.filter, alias)]
  if (model.isCustomEntity) parts.push(sql<SqlBool>`${sql.ref(`${alias}.entity`)} = ${model.key}`)
  if (model.definition.companyScoped) parts.push(companyCondition(ctx, alias))
  return sql<SqlBool>`(${sql.join(parts, sql` and `)})`
}

/** A company-scoped row is visible only within the member's allowed companies. */
export function companyCondition(ctx: EntityContext, alias: string): Expression<SqlBool> {
  const ids = ctx.actor.companyIds
  if (ids.length === 0) return sql<SqlBool>`false`
  return sql<SqlBool>`${sql.ref(`${alias}.company_id`)} in (${sql.join(ids.map((id) => sql`${id}::uuid`))})`
}
