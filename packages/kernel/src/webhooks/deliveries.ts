import { sql } from 'kysely'
import type { Tx } from '../db/schema.ts'
import { BusinessRule, NotFound } from '../errors/errors.ts'
import type { Jobs } from '../jobs/jobs.ts'
import { type DeliveryJob, deliveryJobOptions, WEBHOOK_DELIVERY_JOB } from './deliver.ts'
import type { DeliveriesQuery } from './input.ts'
import { getWebhook } from './service.ts'
import { type DeliveryStatus, webhooksTx } from './tables.ts'

export interface DeliveryView {
  id: string
  webhook_id: string
  event_id: string
  event_type: string
  status: DeliveryStatus
  attempts: number
  http_status: number | null
  duration_ms: number | null
  /** the first KiB of the receiver's last answer */
  response_excerpt: string | null
  error: string | null
  last_attempt_at: string | null
  next_attempt_at: string | null
  created_at: string
}

const COLUMNS = [
  'id',
  'webhook_id',
  'event_id',
  'event_type',
  'status',
  'attempts',
  'http_status',
  'duration_ms',
  'response_excerpt',
  'error',
  'last_attempt_at',
  'next_attempt_at',
  'created_at',
] as const

type DeliveryRow = Omit<DeliveryView, 'last_attempt_at' | 'next_attempt_at' | 'created_at'> & {
  last_attempt_at: Date | null
  next_attempt_at: Date | null
  created_at: Date
}

function view(row: DeliveryRow): DeliveryView {
  return {
    ...row,
    last_attempt_at: row.last_attempt_at?.toISOString() ?? null,
    next_attempt_at: row.next_attempt_at?.toISOString() ?? null,
    created_at: row.created_at.toISOString(),
  }
}

/** A webhook's deliveries, newest first (404 for a webhook the tenant does not have). */
export async function listDeliveries(
  trx: Tx,
  webhookId: string,
  query: DeliveriesQuery = {},
): Promise<{ data: DeliveryView[]; next_before: string | null }> {
  await getWebhook(trx, webhookId)
  const limit = Number(query.limit ?? 50)
  let select = webhooksTx(trx)
    .selectFrom('webhook_deliveries')
    .select(COLUMNS)
    .where('webhook_id', '=', webhookId)
    .orderBy('id', 'desc')
    .limit(limit + 1)
  if (query.status) select = select.where('status', '=', query.status)
  if (query.before) select = select.where('id', '<', query.before)
  const rows = await select.execute()
  const page = rows.slice(0, limit).map(view)
  return { data: page, next_before: rows.length > limit ? (page.at(-1)?.id ?? null) : null }
}

/**
 * Sends a delivery again now, whatever its state, with a fresh 24 hours of retries: a job in the
 * same transaction, so the replay is queued if and only if it is recorded.
 */
export async function replayDelivery(
  trx: Tx,
  jobs: Jobs,
  tenantId: string,
  webhookId: string,
  deliveryId: string,
): Promise<DeliveryView> {
  if (!(await getWebhook(trx, webhookId)).active)
    throw new BusinessRule('webhook_inactive', 'The webhook is switched off: activate it, then replay.')
  const row = await webhooksTx(trx)
    .updateTable('webhook_deliveries')
    .set({
      status: 'pending',
      next_attempt_at: sql<Date>`now()`,
      retry_until: sql<Date>`now() + interval '24 hours'`,
    })
    .where('id', '=', deliveryId)
    .where('webhook_id', '=', webhookId)
    .returning(COLUMNS)
    .executeTakeFirst()
  if (!row) throw new NotFound('The webhook has no such delivery.')
  await jobs.enqueue(WEBHOOK_DELIVERY_JOB, { deliveryId, attempt: row.attempts } satisfies DeliveryJob, {
    tenantId,
    transaction: trx,
    ...deliveryJobOptions,
  })
  return view(row)
}
