import { randomBytes } from 'node:crypto'
import {
  createIdentityContext,
  createRegistry,
  type Database,
  kernelMigrations,
  loadConfig,
  loadSecrets,
  type MigrationSource,
  type ModuleRegistry,
  migrationSources,
} from '@tessera/kernel'
import { partnersModule } from '@tessera/partners'
import { buildApp, installedModules } from '@tessera/server'
import type { FastifyInstance } from 'fastify'

export interface Modules {
  registry: ModuleRegistry
  /** the kernel's migrations, then every enabled module's */
  migrations: MigrationSource[]
}

/** The installed modules, partners included even in a build that leaves it out. */
export function benchModules(): Modules {
  const installed = installedModules.includes(partnersModule)
    ? installedModules
    : [...installedModules, partnersModule]
  const registry = createRegistry(installed)
  return { registry, migrations: migrationSources(kernelMigrations, registry) }
}

export interface RunningApp {
  app: FastifyInstance
  /** http://127.0.0.1:<port> */
  url: string
}

/**
 * The production application on the bench database, listening on loopback. Mail (the sign-up's
 * verification message) lands as files in `dataDir`; the sign-up rate limit is lifted.
 */
export async function startApp(database: Database, dataDir: string, modules: Modules): Promise<RunningApp> {
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    TESSERA_DATA_DIR: dataDir,
    TESSERA_AUTH_RATE_LIMIT: '100000',
  })
  const secrets = loadSecrets({
    dataDir: config.dataDir,
    env: { TESSERA_SECRET: randomBytes(32).toString('hex') },
  })
  const identity = createIdentityContext(database.db, secrets, config.loginDelayMs)
  const app = await buildApp({
    database,
    migrations: modules.migrations,
    identity,
    config,
    modules: modules.registry,
  })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  return { app, url }
}
