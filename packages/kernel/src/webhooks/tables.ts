import type { ColumnType } from 'kysely'
import type { Tx } from '../db/schema.ts'

/** A webhook subscription (migration 0015_events.sql). */
export interface WebhooksTable {
  tenant_id: string
  id: string
  url: string
  events: string[]
  description: string | null
  /** the signing secret, sealed with the server secret and bound to this row */
  secret_sealed: string
  active: ColumnType<boolean, boolean | undefined, boolean>
  created_at: ColumnType<Date, Date | string | undefined, never>
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>
  created_by: string | null
  updated_by: string | null
  version: ColumnType<number, number | undefined, number>
}

export type DeliveryStatus = 'pending' | 'retrying' | 'succeeded' | 'dead'

export interface WebhookDeliveriesTable {
  tenant_id: string
  id: string
  webhook_id: string
  event_id: string
  event_type: string
  body: string
  status: ColumnType<DeliveryStatus, DeliveryStatus | undefined, DeliveryStatus>
  attempts: ColumnType<number, number | undefined, number>
  http_status: number | null
  duration_ms: number | null
  response_excerpt: string | null
  error: string | null
  last_attempt_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
  next_attempt_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
  retry_until: ColumnType<Date, Date | string | undefined, Date | string>
  created_at: ColumnType<Date, Date | string | undefined, never>
}

// a type, not an interface: Kysely's withTables wants an indexable record
export type WebhookTables = { webhooks: WebhooksTable; webhook_deliveries: WebhookDeliveriesTable }

/** The transaction, seeing the webhook tables too; a no-op at run time. */
export function webhooksTx(trx: Tx) {
  return trx.withTables<WebhookTables>()
}
