import { sql } from 'kysely'
import type { Tx } from '../db/schema.ts'
import { newId } from '../ids.ts'

/** What a module (or a subscriber to its events) tells one member. */
export interface NotificationInput {
  userId: string
  /** the event type the member chooses channels for, e.g. `crm.activity.assigned` */
  type: string
  title: string
  body?: string
  /** the web app's path to open, e.g. `/crm/activities/…` */
  link?: string
  entity?: string
  recordId?: string
}

export const NOTIFICATION_TYPE = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_-]*)+$/

/**
 * Notifies a member in the caller's tenant transaction, through the channels they chose for the
 * type (in-app by default, email when they asked for it). Email is only marked pending here and
 * sent after the commit by `sendPendingNotificationEmails`, so a rolled-back change mails nobody.
 * Returns the notification's id, or undefined when the member wants neither channel.
 */
export async function notify(trx: Tx, input: NotificationInput): Promise<string | undefined> {
  if (!NOTIFICATION_TYPE.test(input.type))
    throw new Error(`notifications: ${input.type} is not an event type`)
  const { rows } = await sql<{ in_app: boolean; email: boolean }>`
    select in_app, email from notification_preferences
    where user_id = ${input.userId}::uuid and type = ${input.type}`.execute(trx)
  const channels = rows[0] ?? { in_app: true, email: false }
  if (!channels.in_app && !channels.email) return undefined
  const id = newId()
  await sql`insert into notifications
      (tenant_id, id, user_id, type, title, body, link, entity, record_id, in_app, email_status)
    values (current_setting('app.tenant_id')::uuid, ${id}, ${input.userId}::uuid, ${input.type},
      ${input.title.slice(0, 200)}, ${input.body?.slice(0, 2000) ?? null}, ${input.link ?? null},
      ${input.entity ?? null}, ${input.recordId ?? null}, ${channels.in_app},
      ${channels.email ? 'pending' : null})`.execute(trx)
  return id
}
