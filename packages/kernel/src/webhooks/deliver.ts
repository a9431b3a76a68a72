import { performance } from 'node:perf_hooks'
import { sql } from 'kysely'
import type { Db } from '../db/schema.ts'
import { withTenant } from '../db/tenant.ts'
import type { EnqueueOptions, Job, Jobs } from '../jobs/jobs.ts'
import { createOutboundGuard, type OutboundGuard } from '../outbound/guard.ts'
import { OutboundRefused } from '../outbound/refused.ts'
import { openWebhookSecret } from './service.ts'
import { signatureHeader } from './signature.ts'
import { webhooksTx } from './tables.ts'

/** The job that makes one attempt of one delivery. */
export const WEBHOOK_DELIVERY_JOB = 'kernel.webhook-delivery'

/**
 * The attempt job's own retries only cover a worker dying mid-attempt (the job then expires and
 * runs again); a receiver's failure is recorded and retried by the delivery's own schedule.
 */
export const deliveryJobOptions = {
  retryLimit: 5,
  retryDelaySeconds: 30,
  expireInSeconds: 60,
} satisfies Partial<EnqueueOptions>

export interface DeliveryJob {
  deliveryId: string
  /** the attempts the delivery had when this job was queued: a job that finds more is stale */
  attempt: number
}

export interface WebhookDeliveryOptions {
  db: Db
  jobs: Jobs
  /** IdentityContext.sealingKey, which sealed the signing secrets */
  sealingKey: Uint8Array
  /** TESSERA_OUTBOUND_ALLOW */
  outboundAllow: readonly string[]
  /** delay after the first failure, default 60 s; doubled after each failure up to `retryMaxSeconds` */
  retryBaseSeconds?: number
  /** the longest delay between attempts, default 6 hours; no attempt after 24 hours */
  retryMaxSeconds?: number
  /** a receiver has this long to answer, default 10 s */
  timeoutMs?: number
}

const EXCERPT_BYTES = 1024

/**
 * One attempt of a delivery: a signed POST of the stored body to the webhook's URL through the
 * outbound guard (every address checked when connecting, redirects not followed), then the
 * outcome recorded with the next attempt's time and job in one transaction. A 2xx answer
 * succeeds; anything else is tried again after 1, 2, 4 … minutes (at most 6 hours apart) until
 * 24 hours have passed, then the delivery is dead (replayable by hand).
 */
export function webhookDelivery(options: WebhookDeliveryOptions) {
  const guard = createOutboundGuard({ allow: options.outboundAllow, timeoutMs: options.timeoutMs ?? 10_000 })
  const base = options.retryBaseSeconds ?? 60
  const max = options.retryMaxSeconds ?? 6 * 60 * 60

  async function attempt(tenantId: string, { deliveryId, attempt: expected }: DeliveryJob): Promise<void> {
    const target = await withTenant(options.db, tenantId, (trx) =>
      webhooksTx(trx)
        .selectFrom('webhook_deliveries as d')
        .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
        .select(['d.body', 'd.event_id', 'd.status', 'd.attempts', 'w.id as webhook_id', 'w.url', 'w.active'])
        .select('w.secret_sealed')
        .where('d.id', '=', deliveryId)
        .executeTakeFirst(),
    )
    if (!target?.active || target.attempts !== expected) return
    if (target.status !== 'pending' && target.status !== 'retrying') return
    const secret = openWebhookSecret(options.sealingKey, tenantId, target.webhook_id, target.secret_sealed)
    const outcome = await post(guard, target.url, target.body, secret, target.event_id, deliveryId)
    await withTenant(options.db, tenantId, async (trx) => {
      const ok = outcome.status !== null && outcome.status >= 200 && outcome.status < 300
      const delay = Math.min(base * 2 ** expected, max)
      const recorded = await webhooksTx(trx)
        .updateTable('webhook_deliveries')
        .set({
          attempts: expected + 1,
          http_status: outcome.status,
          duration_ms: outcome.durationMs,
          response_excerpt: outcome.excerpt,
          error: outcome.error,
          last_attempt_at: sql<Date>`now()`,
          status: ok
            ? 'succeeded'
            : sql`case when now() + make_interval(secs => ${delay}) > retry_until then 'dead' else 'retrying' end`,
          next_attempt_at: ok
            ? null
            : sql`case when now() + make_interval(secs => ${delay}) > retry_until then null
                  else now() + make_interval(secs => ${delay}) end`,
        })
        .where('id', '=', deliveryId)
        .where('attempts', '=', expected)
        .returning(['status', 'next_attempt_at'])
        .executeTakeFirst()
      if (recorded?.status === 'retrying' && recorded.next_attempt_at) {
        await options.jobs.enqueue(
          WEBHOOK_DELIVERY_JOB,
          { deliveryId, attempt: expected + 1 } satisfies DeliveryJob,
          {
            tenantId,
            transaction: trx,
            startAfter: recorded.next_attempt_at,
            ...deliveryJobOptions,
          },
        )
      }
    })
  }

  return {
    /** one attempt, as the job runs it (tests call it to run a retry without waiting for it) */
    attempt,
    handler: (job: Job<DeliveryJob>) => attempt(job.tenantId, job.data),
  }
}

interface Outcome {
  status: number | null
  durationMs: number
  excerpt: string | null
  error: string | null
}

async function post(
  guard: OutboundGuard,
  url: string,
  body: string,
  secret: string,
  eventId: string,
  deliveryId: string,
): Promise<Outcome> {
  const started = performance.now()
  const elapsed = () => Math.round(performance.now() - started)
  try {
    const response = await guard.fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Tessera-Webhooks/1',
        'tessera-signature': signatureHeader(secret, body, Math.floor(Date.now() / 1000)),
        'tessera-event-id': eventId,
        'tessera-delivery-id': deliveryId,
      },
      body,
    })
    const text = Buffer.from(await response.arrayBuffer())
    const redirect = response.status >= 300 && response.status < 400
    return {
      status: response.status,
      durationMs: elapsed(),
      excerpt:
        text.length > 0 ? text.subarray(0, EXCERPT_BYTES).toString('utf8').slice(0, EXCERPT_BYTES) : null,
      error: redirect ? 'The receiver answered with a redirect, which is never followed.' : null,
    }
  } catch (err) {
    return { status: null, durationMs: elapsed(), excerpt: null, error: describe(err) }
  }
}

/** What went wrong, for the delivery log: the guard's refusal, or the network error's code. */
function describe(err: unknown): string {
  if (err instanceof OutboundRefused) return err.message.slice(0, 1000)
  const e = err as { name?: string; code?: string; message?: string; cause?: { code?: string } }
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'The receiver did not answer in time.'
  const code = e.code ?? e.cause?.code
  return (code ? `Network error ${code}.` : `Network error: ${e.message ?? 'unknown'}`).slice(0, 1000)
}
