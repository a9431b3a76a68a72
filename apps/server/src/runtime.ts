import {
  createIdentityContext,
  createRegistry,
  type Database,
  type IdentityContext,
  kernelMigrations,
  loadConfig,
  loadSecrets,
  type MigrationSource,
  type ModuleRegistry,
  migrationSources,
  openDatabase,
  type TesseraConfig,
} from '@tessera/kernel'
import { installedModules } from './modules.ts'

export interface Runtime {
  config: TesseraConfig
  database: Database
  /** the enabled modules in dependency order (a cycle or a missing dependency stopped the start) */
  registry: ModuleRegistry
  migrations: MigrationSource[]
  /** identity services: token keys from the server secret (TESSERA_SECRET or the data folder) */
  identity(): IdentityContext
}

/** Config, enabled modules and the open database: what every command (start, migrate, ...) needs. */
export async function openRuntime(env: NodeJS.ProcessEnv = process.env): Promise<Runtime> {
  const config = loadConfig(env)
  const registry = createRegistry(installedModules, config.modules)
  const migrations = migrationSources(kernelMigrations, registry)
  const database = await openDatabase(
    config.databaseUrl
      ? { kind: 'server', url: config.databaseUrl }
      : { kind: 'embedded', dataDir: config.dataDir },
  )
  return {
    config,
    database,
    registry,
    migrations,
    identity: () =>
      createIdentityContext(database.db, loadSecrets({ dataDir: config.dataDir, env }), config.loginDelayMs),
  }
}
