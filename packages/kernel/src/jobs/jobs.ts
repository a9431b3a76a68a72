import { Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import PgBoss from 'pg-boss'
import { MIGRATION_LOCK } from '../db/migrations/bootstrap.ts'
import type { Database } from '../db/open.ts'
import { OWNER_ROLE } from '../db/roles.ts'
import type { Db, KernelTables, Tx } from '../db/schema.ts'
import { isUuid, withTenant } from '../db/tenant.ts'
import { ownerBossDb, transactionBossDb } from './boss-db.ts'
import { CRON_TICK, dueSchedules, removeSchedule, saveSchedule } from './schedules.ts'

/** Where jobs go once their retries are spent; listed by `deadLetters()`. */
export const DEAD_LETTER_QUEUE = 'kernel.dead-letters'

export interface EnqueueOptions {
  tenantId: string
  /** not before this time, or this many seconds from now */
  startAfter?: Date | number
  /** with `singletonSeconds`: at most one job with this key per period */
  singletonKey?: string
  singletonSeconds?: number
  /** retries after the first failure, default 3 */
  retryLimit?: number
  /** seconds before a retry, default 30; doubled on each retry with `retryBackoff` (the default) */
  retryDelaySeconds?: number
  retryBackoff?: boolean
  /** an attempt running longer is failed (and retried), default 15 minutes */
  expireInSeconds?: number
  /** enqueue in this tenant transaction: the job exists if and only if the transaction commits */
  transaction?: Tx
}

/** One job as its handler receives it. */
export interface Job<T> {
  id: string
  name: string
  tenantId: string
  data: T
  /** how many attempts failed before this one */
  retryCount: number
  /** runs `fn` in a transaction of the job's tenant (withTenant): the handler's only way to its data */
  inTenant<R>(fn: (trx: Tx) => Promise<R>): Promise<R>
}

export interface DeadLetter {
  id: string
  /** the queue the job failed in */
  queue: string
  tenantId: string | null
  data: unknown
  /** the last error, as the handler threw it */
  error: string | null
  failedAt: Date
}

export interface Jobs {
  /**
   * Starts the queue and creates these queues: needed before enqueueing in a transaction, which
   * cannot wait for the queue to start (on the embedded database the transaction holds the one
   * connection the queue would need).
   */
  prepare(names: readonly string[]): Promise<void>
  enqueue<T extends object>(name: string, data: T, options: EnqueueOptions): Promise<string | null>
  /** handles `name`'s jobs in this process; a handler that throws fails the attempt (retried, then dead) */
  work<T>(name: string, handler: (job: Job<T>) => Promise<void>): Promise<void>
  /** a tenant's cron schedule for `name` (5 fields, `timezone` default UTC); replaces the previous one */
  schedule(
    name: string,
    cron: string,
    data: object,
    options: { tenantId: string; timezone?: string },
  ): Promise<void>
  unschedule(name: string, options: { tenantId: string }): Promise<void>
  /** platform work on a cron schedule, once per period across every worker (e.g. purges) */
  every(name: string, cron: string, task: () => Promise<void>): Promise<void>
  deadLetters(options?: { limit?: number }): Promise<DeadLetter[]>
  stop(): Promise<void>
}

export interface JobsOptions {
  /**
   * true in a worker: runs the queue's maintenance (expiring stuck jobs, archiving) and its cron
   * clock. false where jobs are only enqueued (an API node with TESSERA_WORKER=off).
   */
  worker?: boolean
  /** how often an idle worker looks for jobs, default 2 s (at least 0.5) */
  pollingIntervalSeconds?: number
  log?: { error(obj: object, msg: string): void }
}

interface Envelope {
  tenantId: string | null
  queue: string
  data: unknown
}

/**
 * The job queue: pg-boss on PostgreSQL, on the embedded database through the same connection as
 * everything else. Started on first use, so a process that never touches jobs pays nothing.
 * Jobs carry their tenant; a handler reaches the database only inside that tenant.
 */
export function createJobs(database: Database, options: JobsOptions = {}): Jobs {
  const worker = options.worker ?? false
  const polling = options.pollingIntervalSeconds ?? 2
  // on a server, its own small pool: polling workers never wait behind requests for a connection
  const own =
    database.kind === 'server' && database.url
      ? new Kysely<KernelTables>({
          dialect: new PostgresDialect({
            pool: new pg.Pool({ connectionString: database.url, max: 3 }).on('error', () => {}),
          }),
        })
      : undefined
  const bossDb = ownerBossDb(own ?? database.db)
  const queues = new Map<string, Promise<void>>()
  const prepared = new Set<string>()
  let instance: PgBoss | undefined
  let started: Promise<PgBoss> | undefined
  let stopped = false

  function boss(): Promise<PgBoss> {
    if (stopped) return Promise.reject(new Error('The job queue is stopped.'))
    started ??= (async () => {
      await allowOwnerToCreateSchemas(database.db)
      const created = new PgBoss({
        db: bossDb,
        schedule: worker,
        supervise: worker,
        migrate: true,
        pollingIntervalSeconds: polling,
      })
      created.on('error', (err) => options.log?.error({ err }, 'job queue error'))
      await created.start()
      if (!(await created.getQueue(DEAD_LETTER_QUEUE)))
        await retryOnDeadlock(() => created.createQueue(DEAD_LETTER_QUEUE))
      instance = created
      return created
    })()
    return started
  }

  // Creating a queue attaches a partition to pg-boss's job table, which deadlocks with another
  // creation or with job traffic now and then: one at a time here, only when missing, retried.
  let creating: Promise<unknown> = Promise.resolve()
  function queue(name: string): Promise<void> {
    let ready = queues.get(name)
    if (!ready) {
      const create = async () => {
        const b = await boss()
        if (!(await b.getQueue(name)))
          await retryOnDeadlock(() => b.createQueue(name, { name, deadLetter: DEAD_LETTER_QUEUE }))
        prepared.add(name)
      }
      ready = creating.then(create, create)
      creating = ready.catch(() => {})
      ready.catch(() => queues.delete(name))
      queues.set(name, ready)
    }
    return ready
  }

  async function enqueue<T extends object>(name: string, data: T, o: EnqueueOptions) {
    if (!isUuid(o.tenantId)) throw new Error(`A job needs its tenant's id; got ${String(o.tenantId)}.`)
    if (o.transaction && !(instance && prepared.has(name)))
      throw new Error(`Queue ${name} is not prepared: call jobs.prepare(["${name}"]) before the transaction.`)
    if (!prepared.has(name)) await queue(name)
    const sender = instance ?? (await boss())
    const envelope: Envelope = { tenantId: o.tenantId, queue: name, data }
    return sender.send(name, envelope, {
      ...(o.startAfter === undefined ? {} : { startAfter: o.startAfter }),
      ...(o.singletonKey === undefined ? {} : { singletonKey: o.singletonKey }),
      ...(o.singletonSeconds === undefined ? {} : { singletonSeconds: o.singletonSeconds }),
      retryLimit: o.retryLimit ?? 3,
      retryDelay: o.retryDelaySeconds ?? 30,
      retryBackoff: o.retryBackoff ?? true,
      ...(o.expireInSeconds === undefined ? {} : { expireInSeconds: o.expireInSeconds }),
      ...(o.transaction ? { db: transactionBossDb(o.transaction) } : {}),
    })
  }

  async function work<T>(name: string, handler: (job: Job<T>) => Promise<void>) {
    await queue(name)
    await (await boss()).work<Envelope>(name, { includeMetadata: true }, async ([job]) => {
      if (!job) return
      const { tenantId, data } = job.data
      if (!tenantId) throw new Error(`Job ${job.id} of ${name} carries no tenant.`)
      await handler({
        id: job.id,
        name,
        tenantId,
        data: data as T,
        retryCount: job.retryCount,
        inTenant: (fn) => withTenant(database.db, tenantId, fn),
      })
    })
  }

  async function every(name: string, cron: string, task: () => Promise<void>) {
    await queue(name)
    const scheduler = await boss()
    await scheduler.schedule(name, cron, { tenantId: null, queue: name, data: {} } satisfies Envelope, {
      retryLimit: 2,
    })
    await scheduler.work(name, async () => task())
  }

  async function deadLetters({ limit = 100 } = {}): Promise<DeadLetter[]> {
    await boss()
    const { rows } = (await bossDb.executeSql(
      `select id, data, output, created_on from pgboss.job where name = $1
       union all
       select id, data, output, created_on from pgboss.archive where name = $1
       order by created_on desc limit $2`,
      [DEAD_LETTER_QUEUE, limit],
    )) as { rows: { id: string; data: Envelope; output: unknown; created_on: Date }[] }
    return rows.map((row) => ({
      id: row.id,
      queue: row.data?.queue ?? 'unknown',
      tenantId: row.data?.tenantId ?? null,
      data: row.data?.data,
      error: errorMessage(row.output),
      failedAt: new Date(row.created_on),
    }))
  }

  const jobs: Jobs = {
    async prepare(names) {
      await Promise.all(names.map(queue))
    },
    enqueue,
    work,
    async schedule(name, cron, data, { tenantId, timezone = 'UTC' }) {
      await withTenant(database.db, tenantId, (trx) => saveSchedule(trx, { name, cron, timezone, data }))
    },
    async unschedule(name, { tenantId }) {
      await withTenant(database.db, tenantId, (trx) => removeSchedule(trx, name))
    },
    every,
    deadLetters,
    async stop() {
      if (stopped) return
      stopped = true
      if (started) {
        const running = await started.catch(() => undefined)
        await running?.stop({ graceful: true, wait: true, timeout: 10_000 })
      }
      await bossDb.settled()
      await own?.destroy()
    },
  }
  if (worker) {
    // each minute, the tenants' schedules due in that minute become jobs
    void every(CRON_TICK, '* * * * *', () => dueSchedules(database.db, jobs)).catch((err) =>
      options.log?.error({ err }, 'the cron clock did not start'),
    )
  }
  return jobs
}

const DEADLOCK = '40P01'

async function retryOnDeadlock(fn: () => Promise<void>, attempts = 5): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fn()
    } catch (err) {
      if ((err as { code?: string }).code !== DEADLOCK || attempt >= attempts) throw err
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt))
    }
  }
}

function errorMessage(output: unknown): string | null {
  if (output && typeof output === 'object' && 'message' in output) return String(output.message)
  return output === null || output === undefined ? null : JSON.stringify(output)
}

/**
 * pg-boss keeps its tables in a schema of its own (`pgboss`), which the owner role may create only
 * with CREATE on the database. The connecting user grants it, as it created the roles (bootstrap),
 * when it may; otherwise starting the queue fails with PostgreSQL's "permission denied" (README).
 */
async function allowOwnerToCreateSchemas(db: Db): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${MIGRATION_LOCK})`.execute(trx)
    await sql
      .raw(`
do $$
begin
  if not has_database_privilege('${OWNER_ROLE}', current_database(), 'CREATE') then
    execute format('grant create on database %I to ${OWNER_ROLE}', current_database());
  end if;
exception when insufficient_privilege then null;
end $$;`)
      .execute(trx)
  })
}
