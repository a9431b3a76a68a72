import { sql } from 'kysely'
import type { Tx } from '../db/schema.ts'
import { Invalid } from '../errors/errors.ts'

export interface NotificationPreference {
  type: string
  in_app: boolean
  email: boolean
}

/**
 * The member's channels for every type the server declares (kernel and enabled modules), with the
 * default (in-app only) where they chose nothing.
 */
export async function preferencesOf(
  trx: Tx,
  userId: string,
  types: readonly string[],
): Promise<NotificationPreference[]> {
  const { rows } = await sql<NotificationPreference>`
    select type, in_app, email from notification_preferences where user_id = ${userId}::uuid`.execute(trx)
  const chosen = new Map(rows.map((r) => [r.type, r]))
  return types.map((type) => chosen.get(type) ?? { type, in_app: true, email: false })
}

/** Sets channels for declared types only: an unknown type is a 400 naming it. */
export async function setPreferences(
  trx: Tx,
  userId: string,
  types: readonly string[],
  changes: readonly NotificationPreference[],
): Promise<void> {
  changes.forEach((change, i) => {
    if (!types.includes(change.type))
      throw Invalid.field(
        `preferences[${i}].type`,
        `preferences[${i}].type: there is no notification type ${JSON.stringify(change.type.slice(0, 100))}.`,
        'unknown_type',
      )
  })
  for (const change of changes) {
    await sql`insert into notification_preferences (tenant_id, user_id, type, in_app, email)
      values (current_setting('app.tenant_id')::uuid, ${userId}::uuid, ${change.type}, ${change.in_app}, ${change.email})
      on conflict (tenant_id, user_id, type) do update
      set in_app = excluded.in_app, email = excluded.email, updated_at = now()`.execute(trx)
  }
}
