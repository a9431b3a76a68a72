import { ensureDemoTenant, fillDemoTenant, type IdentityContext, migrate } from '@tessera/kernel'
import { buildApp } from './app.ts'
import { openRuntime } from './runtime.ts'
import { prepareWebApp } from './web.ts'

const SHUTDOWN_GRACE_MS = 10_000

/**
 * Starts Tessera: migrate, then serve. SIGTERM or SIGINT stops accepting connections, lets
 * in-flight requests finish, closes the database (releasing the embedded data folder), then exits.
 */
export async function startServer(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const runtime = await openRuntime(env)
  const { config, database, migrations } = runtime
  let identity: IdentityContext
  try {
    identity = runtime.identity()
    await migrate(database.db, migrations)
  } catch (err) {
    await database.close()
    throw err
  }
  const demo = config.demo ? await ensureDemoTenant(database.db) : undefined
  // the installed modules, active in the demo tenant with their sample data
  if (demo) await fillDemoTenant(database.db, runtime.registry, demo)
  await prepareWebApp((message) => process.stdout.write(`${message}\n`))
  const app = await buildApp({
    database,
    migrations,
    config,
    identity,
    sendNotificationEmails: true,
    worker: config.worker,
  })
  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    app.log.info({ signal }, 'shutting down')
    const force = setTimeout(() => {
      app.log.error('shutdown took too long; exiting')
      process.exit(1)
    }, SHUTDOWN_GRACE_MS)
    force.unref()
    await app.close()
    await database.close()
    app.log.info('stopped')
    process.exit(0)
  }
  process.once('SIGTERM', () => void stop('SIGTERM'))
  process.once('SIGINT', () => void stop('SIGINT'))

  const address = await app.listen({ port: config.port, host: config.host })
  const shown = address.replace('127.0.0.1', 'localhost').replace('[::1]', 'localhost')
  const where = database.kind === 'embedded' ? `embedded database in ${config.dataDir}` : 'PostgreSQL server'
  process.stdout.write(`Tessera is running at ${shown} (${where}). API docs: ${shown}/api/docs\n`)
  if (demo) {
    process.stdout.write(
      `Created the demo tenant "${demo.slug}". Sign in as ${demo.email} with the password ${demo.password}\n` +
        '(shown only this once: change it after signing in).\n',
    )
  }
}
