import {
  connectEventBus,
  createDispatcher,
  createJobs,
  type Database,
  type Dispatcher,
  IMPORT_JOB,
  importJob,
  type Jobs,
  type ModuleRegistry,
  purgeIdempotencyKeys,
  type TesseraConfig,
  WEBHOOK_DELIVERY_JOB,
  webhookDelivery,
  webhookTarget,
} from '@tessera/kernel'

export interface WorkerLog {
  error(obj: object, msg: string): void
  info(obj: object, msg: string): void
}

export interface WorkerOptions {
  database: Database
  /** the enabled modules: their manifests' subscribers receive the events */
  registry: ModuleRegistry
  /** IdentityContext.sealingKey: opens the webhooks' signing secrets */
  sealingKey: Uint8Array
  config: Pick<TesseraConfig, 'natsUrl' | 'outboundAllow'>
  /** the process's job queue, in worker mode; by default one of the worker's own, stopped with it */
  jobs?: Jobs
  log?: WorkerLog
  /** how often the dispatcher looks at the outbox, default 1 s */
  dispatchIntervalMs?: number
}

export interface Worker {
  jobs: Jobs
  dispatcher: Dispatcher
  stop(): Promise<void>
}

/** Daily, in the quiet hours: idempotency keys older than a day (idempotency/purge.ts). */
const PURGE_IDEMPOTENCY_KEYS = 'kernel.purge-idempotency-keys'

/**
 * The background half of Tessera: the event dispatcher (outbox → subscribers, NATS, webhooks),
 * the webhook deliveries, the imports queued as jobs, the tenants' cron schedules and the platform's periodic purges. Runs
 * inside `tessera start` (TESSERA_WORKER=on, the default) or alone as `tessera worker`; several
 * may run at once against one database server.
 */
export async function startWorker(options: WorkerOptions): Promise<Worker> {
  const { database, log } = options
  const db = database.db
  const jobs = options.jobs ?? createJobs(database, { worker: true, ...(log ? { log } : {}) })
  const bus = options.config.natsUrl ? await connectEventBus(options.config.natsUrl) : undefined
  try {
    const deliveries = webhookDelivery({
      db,
      jobs,
      sealingKey: options.sealingKey,
      outboundAllow: options.config.outboundAllow,
    })
    await jobs.work(WEBHOOK_DELIVERY_JOB, deliveries.handler)
    await jobs.work(IMPORT_JOB, importJob(database))
    await jobs.every(PURGE_IDEMPOTENCY_KEYS, '17 3 * * *', async () => void (await purgeIdempotencyKeys(db)))
    for (const job of options.registry.modules.flatMap((m) => m.jobs ?? []))
      await jobs.every(job.name, job.cron, () => job.run({ db }))
  } catch (err) {
    await bus?.close()
    if (!options.jobs) await jobs.stop()
    throw err
  }
  const dispatcher = createDispatcher({
    db,
    modules: options.registry.modules,
    ...(bus ? { bus } : {}),
    targets: [webhookTarget(jobs)],
    ...(log ? { log } : {}),
  })
  dispatcher.start(options.dispatchIntervalMs)
  return {
    jobs,
    dispatcher,
    async stop() {
      await dispatcher.stop()
      if (!options.jobs) await jobs.stop()
      await bus?.close()
    },
  }
}
