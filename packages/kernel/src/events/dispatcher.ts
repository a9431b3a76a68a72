import { sql } from 'kysely'
import { APP_ROLE } from '../db/roles.ts'
import type { Db, Tx } from '../db/schema.ts'
import { withSystem, withTenant } from '../db/tenant.ts'
import { activeModuleNames } from '../module/activation.ts'
import type { ModuleManifest } from '../module/define.ts'
import type { EventBus } from './nats.ts'
import { type BoundSubscriber, moduleSubscribers, subscribersOf } from './subscribers.ts'
import { eventsTx } from './tables.ts'
import type { DomainEvent } from './types.ts'

/** A destination the dispatcher hands each event to, inside the event's tenant (e.g. webhooks). */
export interface EventTarget {
  name: string
  /** must be idempotent per event id: after a crash the same event comes again */
  deliver(trx: Tx, event: DomainEvent): Promise<void>
}

export interface DispatcherOptions {
  db: Db
  /** the enabled modules: their manifests' subscribers receive the events */
  modules: readonly ModuleManifest[]
  /** NATS JetStream, when NATS_URL is set */
  bus?: EventBus
  targets?: readonly EventTarget[]
  /** events claimed per tenant at a time, default 100 */
  batchSize?: number
  /** how long a claimed event is left to its dispatcher before another may take it, default 30 s */
  leaseSeconds?: number
  log?: { error(obj: object, msg: string): void; info?(obj: object, msg: string): void }
}

export interface Dispatcher {
  /** delivers every event now due, tenant by tenant; returns how many were delivered */
  runOnce(): Promise<number>
  /** runs `runOnce` every `intervalMs` (default 1 s) until `stop` */
  start(intervalMs?: number): void
  stop(): Promise<void>
}

const MAX_BACKOFF_SECONDS = 300

/**
 * Delivers the outbox at least once: to the subscribers of the modules active in the event's
 * tenant (each in its own transaction with its receipt, so its effect happens once), to NATS
 * (message id = event id) and to the other targets; then marks the event delivered. Anything that
 * fails leaves the event undelivered, to be tried again after a growing delay; a crash leaves it
 * undelivered too, so a restarted dispatcher resumes from the outbox.
 */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { db, bus, targets = [], log } = options
  const subscribers = moduleSubscribers(options.modules)
  const batchSize = options.batchSize ?? 100
  const lease = options.leaseSeconds ?? 30
  let timer: NodeJS.Timeout | undefined
  let running: Promise<unknown> | undefined
  let stopped = false

  async function runOnce(): Promise<number> {
    const tenants = await withSystem(db, (trx) => trx.selectFrom('tenants').select('id').execute())
    if (tenants.length === 0) return 0
    const due = await db.transaction().execute(async (trx) => {
      await sql`select set_config('role', ${APP_ROLE}, true)`.execute(trx)
      const { rows } = await sql<{ id: string }>`
        select t as id from event_outbox_due_tenants(${tenants.map((t) => t.id)}::uuid[]) t`.execute(trx)
      return rows
    })
    let delivered = 0
    for (const { id } of due) delivered += await dispatchTenant(id)
    if (delivered > 0) log?.info?.({ delivered }, 'events delivered')
    return delivered
  }

  async function dispatchTenant(tenantId: string): Promise<number> {
    let delivered = 0
    for (;;) {
      const { events, active } = await withTenant(db, tenantId, async (trx) => ({
        events: await claim(trx, batchSize, lease),
        active: subscribers.length > 0 ? await activeModuleNames(trx) : new Set<string>(),
      }))
      for (const event of events) {
        if (await dispatchEvent(event, subscribersOf(subscribers, active, event.type))) delivered += 1
      }
      if (events.length < batchSize || stopped) return delivered
    }
  }

  async function dispatchEvent(event: DomainEvent, receivers: BoundSubscriber[]): Promise<boolean> {
    const failures: string[] = []
    const attempt = async (what: string, fn: () => Promise<unknown>) => {
      try {
        await fn()
      } catch (err) {
        failures.push(`${what}: ${(err as Error).message}`)
        log?.error({ err, event: event.id, type: event.type, target: what }, 'event delivery failed')
      }
    }
    for (const { key, subscriber } of receivers) {
      await attempt(key, () =>
        withTenant(db, event.tenantId, async (trx) => {
          if (await firstReceipt(trx, event, key))
            await subscriber.handle({ tenantId: event.tenantId, db: trx }, event)
        }),
      )
    }
    if (bus) await attempt('nats', () => bus.publish(event))
    for (const target of targets) {
      await attempt(target.name, () => withTenant(db, event.tenantId, (trx) => target.deliver(trx, event)))
    }
    await withTenant(db, event.tenantId, (trx) => settle(trx, event.id, failures))
    return failures.length === 0
  }

  return {
    runOnce,
    start(intervalMs = 1000) {
      const tick = () => {
        if (stopped) return
        running = runOnce()
          .catch((err) => log?.error({ err }, 'the event dispatcher failed a round'))
          .finally(() => {
            if (!stopped) timer = setTimeout(tick, intervalMs)
          })
      }
      tick()
    },
    async stop() {
      stopped = true
      clearTimeout(timer)
      await running
    },
  }
}

/** Takes up to `limit` due events of the transaction's tenant, oldest first, for `lease` seconds. */
async function claim(trx: Tx, limit: number, lease: number): Promise<DomainEvent[]> {
  const rows = await eventsTx(trx)
    .updateTable('event_outbox')
    .set({ next_attempt_at: sql<Date>`now() + make_interval(secs => ${lease})` })
    .where(
      'id',
      'in',
      eventsTx(trx)
        .selectFrom('event_outbox')
        .select('id')
        .where('delivered_at', 'is', null)
        .where('next_attempt_at', '<=', sql<Date>`now()`)
        .orderBy('id')
        .limit(limit)
        .forUpdate()
        .skipLocked(),
    )
    .returningAll()
    .execute()
  return rows
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map((row) => ({
      id: row.id,
      type: row.type,
      tenantId: row.tenant_id,
      entity: row.entity,
      recordId: row.record_id,
      data: row.payload,
      actor: { userId: row.actor_user_id, apiKeyId: row.actor_api_key_id },
      requestId: row.request_id,
      createdAt: row.created_at,
    }))
}

/** Records that `subscriber` processes `event`; false when it already has. */
async function firstReceipt(trx: Tx, event: DomainEvent, subscriber: string): Promise<boolean> {
  const inserted = await eventsTx(trx)
    .insertInto('event_receipts')
    .values({ tenant_id: event.tenantId, subscriber, event_id: event.id })
    .onConflict((oc) => oc.doNothing())
    .returning('event_id')
    .executeTakeFirst()
  return inserted !== undefined
}

async function settle(trx: Tx, id: string, failures: string[]): Promise<void> {
  const events = eventsTx(trx).updateTable('event_outbox').where('id', '=', id)
  if (failures.length === 0) {
    await events.set({ delivered_at: sql<Date>`now()`, last_error: null }).execute()
    return
  }
  await events
    .set({
      attempts: sql<number>`attempts + 1`,
      next_attempt_at: sql<Date>`now() + make_interval(secs => least(power(2, attempts), ${MAX_BACKOFF_SECONDS}))`,
      last_error: failures.join('; ').slice(0, 2000),
    })
    .execute()
}
