import { sql } from 'kysely'
import type { Tx } from '../db/schema.ts'
import { Invalid, NotFound } from '../errors/errors.ts'

export interface NotificationView {
  id: string
  type: string
  title: string
  body: string | null
  link: string | null
  entity: string | null
  record_id: string | null
  read_at: string | null
  created_at: string
}

const iso = (value: unknown) =>
  value instanceof Date ? value.toISOString() : value === null ? null : String(value)

/** A member's in-app notifications, newest first, `after` an id (what a live stream has shown). */
export async function listNotifications(
  trx: Tx,
  userId: string,
  options: { unread?: boolean; before?: string; after?: string; limit?: number } = {},
): Promise<NotificationView[]> {
  const limit = options.limit ?? 50
  if (!Number.isInteger(limit) || limit < 1 || limit > 200)
    throw Invalid.field('limit', 'limit must be an integer from 1 to 200.', 'out_of_range')
  const { rows } = await sql<NotificationView & { read_at: Date | null; created_at: Date }>`
    select id, type, title, body, link, entity, record_id, read_at, created_at from notifications
    where user_id = ${userId}::uuid and in_app
      ${options.unread ? sql`and read_at is null` : sql``}
      ${options.before ? sql`and id < ${options.before}::uuid` : sql``}
      ${options.after ? sql`and id > ${options.after}::uuid` : sql``}
    order by id desc limit ${limit}`.execute(trx)
  return rows.map((r) => ({ ...r, read_at: iso(r.read_at), created_at: iso(r.created_at) as string }))
}

export async function unreadCount(trx: Tx, userId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from notifications
    where user_id = ${userId}::uuid and in_app and read_at is null`.execute(trx)
  return rows[0]?.n ?? 0
}

/** Marks one of the member's notifications read; another member's (or tenant's) is a 404. */
export async function markRead(trx: Tx, userId: string, id: string): Promise<void> {
  const { rows } = await sql`
    update notifications set read_at = coalesce(read_at, now())
    where id = ${id}::uuid and user_id = ${userId}::uuid and in_app returning id`.execute(trx)
  if (rows.length === 0) throw new NotFound('There is no notification with this id.')
}

export async function markAllRead(trx: Tx, userId: string): Promise<number> {
  const { rows } = await sql`
    update notifications set read_at = now()
    where user_id = ${userId}::uuid and in_app and read_at is null returning id`.execute(trx)
  return rows.length
}
