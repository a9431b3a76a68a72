import { type IdentityContext, migrate } from '@tessera/kernel'
import { pino } from 'pino'
import { openRuntime } from '../runtime.ts'
import { startWorker } from './worker.ts'

const SHUTDOWN_GRACE_MS = 30_000

/**
 * `tessera worker`: the worker alone, in a process of its own (run `tessera start` with
 * TESSERA_WORKER=off beside it, or several workers against one database server). SIGTERM or SIGINT
 * lets running jobs finish, closes the database and exits 0.
 */
export async function runWorker(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const runtime = await openRuntime(env)
  const { config, database, migrations, registry } = runtime
  let identity: IdentityContext
  try {
    identity = runtime.identity()
    await migrate(database.db, migrations)
  } catch (err) {
    await database.close()
    throw err
  }
  const log = pino({ level: config.logLevel })
  const worker = await startWorker({
    database,
    registry,
    sealingKey: identity.sealingKey,
    config,
    log,
  }).catch(async (err) => {
    await database.close()
    throw err
  })
  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    log.info({ signal }, 'worker shutting down')
    const force = setTimeout(() => {
      log.error('worker shutdown took too long; exiting')
      process.exit(1)
    }, SHUTDOWN_GRACE_MS)
    force.unref()
    await worker.stop()
    await database.close()
    process.exit(0)
  }
  process.once('SIGTERM', () => void stop('SIGTERM'))
  process.once('SIGINT', () => void stop('SIGINT'))
  const where = database.kind === 'embedded' ? `embedded database in ${config.dataDir}` : 'PostgreSQL server'
  const nats = config.natsUrl ? ', events also to NATS' : ''
  process.stdout.write(`Tessera worker is running (${where}${nats}).\n`)
}
