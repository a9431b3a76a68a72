import {
  createJobs,
  type Database,
  type IdentityContext,
  type Jobs,
  type ModuleRegistry,
  type TesseraConfig,
} from '@tessera/kernel'
import type { FastifyInstance } from 'fastify'
import { startWorker } from '../events/worker.ts'
import { webhookRoutes } from './routes.ts'

export interface WebhooksOptions {
  database: Database
  identity: IdentityContext
  registry: ModuleRegistry
  config: Pick<TesseraConfig, 'natsUrl' | 'outboundAllow'>
  /** the process's job queue; by default one made here and stopped with the app */
  jobs?: Jobs
  /** also run the worker (event delivery, webhook deliveries, schedules) in this process */
  worker?: boolean
}

/**
 * /api/v1/webhooks, and with `worker` the in-process worker (`tessera start` with TESSERA_WORKER
 * on), both stopped when the app closes, before the database does.
 */
export async function registerWebhooks(app: FastifyInstance, options: WebhooksOptions): Promise<void> {
  const { database, identity, config } = options
  const jobs = options.jobs ?? createJobs(database, { worker: options.worker ?? false, log: app.log })
  await app.register(webhookRoutes, {
    prefix: '/api/v1/webhooks',
    identity,
    jobs,
    outboundAllow: config.outboundAllow,
  })
  const worker = options.worker
    ? await startWorker({
        database,
        registry: options.registry,
        sealingKey: identity.sealingKey,
        config,
        jobs,
        log: app.log,
      })
    : undefined
  app.addHook('onClose', async () => {
    await worker?.stop()
    if (!options.jobs) await jobs.stop()
  })
}
