import { assertCan } from '../access/can.ts'
import type { EntityContext } from '../entities/context.ts'
import { codeEntity } from '../entities/registry.ts'
import { loadAccess, modelOf, permissionOf } from '../entities/store/access.ts'
import { findRow } from '../entities/store/read.ts'
import { NotFound } from '../errors/errors.ts'
import { isModuleActive } from '../module/activation.ts'

/** The record a file hangs on: what reading (`read`) or changing (`update`) its files needs. */
export interface FileTarget {
  entity: string
  recordId: string
}

/**
 * Refuses unless the member may `action` the record: the entity's right (403 naming it), the
 * entity known and its module active, and the record visible to them under record rules and
 * company scope (404, as for another tenant's record). A file is only as visible as its record,
 * and this runs on every request, so a changed right or rule applies to the next download.
 */
export async function assertRecordAccess(
  ctx: EntityContext,
  target: FileTarget,
  action: 'read' | 'update',
  /** the 404 to answer, given what was not found */
  notFound: (what: 'entity' | 'record') => NotFound,
): Promise<void> {
  const model = await modelOf(ctx, target.entity)
  // the right first, so a member without it learns nothing about which entities exist
  assertCan(ctx.actor, model ? permissionOf(model, action) : `${target.entity}:${action}`)
  if (!model || !(await moduleActive(ctx, target.entity))) throw notFound('entity')
  const access = await loadAccess(ctx, model)
  try {
    await findRow(ctx, access, target.recordId)
  } catch (err) {
    if (err instanceof NotFound) throw notFound('record')
    throw err
  }
}

/** A code entity's module (its key's first part) must be active in the tenant; custom ones always are. */
function moduleActive(ctx: EntityContext, entity: string): Promise<boolean> {
  if (!codeEntity(entity)) return Promise.resolve(true)
  return isModuleActive(ctx.db, entity.slice(0, entity.indexOf('.')))
}
