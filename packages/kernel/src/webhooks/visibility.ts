import { sql } from 'kysely'
import { allowedCompaniesOf, permissionsOfRoles } from '../access/actor-rights.ts'
import { can } from '../access/can.ts'
import { maskRecord } from '../access/rules/field-access.ts'
import type { Tx } from '../db/schema.ts'
import { entityContext } from '../entities/context.ts'
import { loadModel } from '../entities/model.ts'
import { loadAccess, permissionOf } from '../entities/store/access.ts'
import type { DomainEvent, EventData } from '../events/types.ts'
import type { Actor } from '../identity/authenticate.ts'

/**
 * The creator of a webhook as the access rules see them now: their membership's current roles,
 * rights and companies, read again for every event, so a change of rights applies at once.
 */
async function memberActor(trx: Tx, tenantId: string, userId: string): Promise<Actor | undefined> {
  const row = await trx
    .selectFrom('memberships as m')
    .select([
      'm.roles',
      'm.current_company_id',
      permissionsOfRoles('m.roles').as('permissions'),
      allowedCompaniesOf('m').as('company_ids'),
    ])
    .where('m.user_id', '=', userId)
    .where('m.status', '=', 'active')
    .executeTakeFirst()
  if (!row) return undefined
  return {
    userId,
    tenantId,
    sessionId: null,
    apiKeyId: null,
    roles: row.roles,
    permissions: row.permissions,
    companyIds: row.company_ids,
    companyId: row.current_company_id,
    via: 'token',
  }
}

/**
 * What of `event` the webhook's creator may see, or undefined when nothing: a webhook is a side
 * channel and obeys the same rules as the API (SECURITY.md). The creator must still be an active
 * member holding the entity's read right, the record must be within their record rules and
 * companies (while it exists), and hidden fields are left out of the record and of `changed`.
 */
export async function visibleEventData(
  trx: Tx,
  creator: string | null,
  event: DomainEvent,
): Promise<EventData | undefined> {
  if (!creator) return undefined
  const actor = await memberActor(trx, event.tenantId, creator)
  const model = actor && (await loadModel(trx, event.entity))
  if (!actor || !model || !can(actor, permissionOf(model, 'read'))) return undefined
  const access = await loadAccess(entityContext(trx, actor), model)
  if (event.recordId) {
    const { rows } = await sql<{ exists: boolean; visible: boolean }>`
      select true as exists, ${access.rows('r')} as visible
        from ${sql.table(model.table)} as r where r.id = ${event.recordId}::uuid`.execute(trx)
    const row = rows[0]
    if (row && !row.visible) return undefined
  }
  return {
    record: event.data.record ? maskRecord(event.data.record, access.fields) : null,
    changed: event.data.changed.filter((name) => !access.fields.hidden.has(name)),
  }
}
