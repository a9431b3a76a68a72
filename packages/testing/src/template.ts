import {
  createRegistry,
  globalTables,
  kernelGlobalTables,
  kernelMigrations,
  type MigrationSource,
  migrationSources,
} from '@tessera/kernel'
import { installedModules } from '@tessera/server'

/**
 * How test files get a migrated database quickly: migrate once (global setup), then each test file
 * clones that template. Embedded: a PGlite data-folder dump loaded into a fresh in-memory PGlite.
 * Server: CREATE DATABASE ... TEMPLATE, dropped when the file ends.
 */
export type Template =
  | { kind: 'pglite'; dumpFile: string }
  | { kind: 'server'; adminUrl: string; template: string }

declare module 'vitest' {
  export interface ProvidedContext {
    tesseraTemplate: Template
  }
}

/** Every installed module's migrations after the kernel's: what `tessera migrate` applies. */
export function allMigrations(): MigrationSource[] {
  return migrationSources(kernelMigrations, createRegistry(installedModules))
}

/** Every table allowed to carry no tenant_id, for the schema guard. */
export function allGlobalTables(): string[] {
  return globalTables(kernelGlobalTables, createRegistry(installedModules))
}

/** The database URL named `name` on the same server as `url`. */
export function withDatabaseName(url: string, name: string): string {
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.toString()
}
