import type { ColumnType } from 'kysely'
import type { Tx } from '../db/schema.ts'

/** The outbox (migration 0015_events.sql): one row per committed change. */
export interface EventOutboxTable {
  tenant_id: string
  id: string
  type: string
  entity: string
  record_id: string | null
  /** JSON text on insert; jsonb comes back parsed */
  payload: ColumnType<{ record: Record<string, unknown> | null; changed: string[] }, string, string>
  actor_user_id: string | null
  actor_api_key_id: string | null
  request_id: string | null
  created_at: ColumnType<Date, Date | string | undefined, never>
  delivered_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
  attempts: ColumnType<number, number | undefined, number>
  next_attempt_at: ColumnType<Date, Date | string | undefined, Date | string>
  last_error: string | null
}

export interface EventReceiptsTable {
  tenant_id: string
  subscriber: string
  event_id: string
  processed_at: ColumnType<Date, Date | string | undefined, never>
}

// a type, not an interface: Kysely's withTables wants an indexable record
export type EventTables = { event_outbox: EventOutboxTable; event_receipts: EventReceiptsTable }

/** The transaction, seeing the event tables too; a no-op at run time. */
export function eventsTx(trx: Tx) {
  return trx.withTables<EventTables>()
}
