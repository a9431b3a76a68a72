import type { MigrationSource } from '../db/migrations/source.ts'

/**
 * A module's manifest: the only place a module registers anything (DESIGN.md, "The module
 * manifest"). Later capabilities add their own keys (entities, permissions, roles, menus, routes,
 * subscribers, workflows, settings, seed); the registry reads only what exists today.
 */
export interface ModuleManifest {
  /** lower-case, e.g. `sales`; prefixes the module's entity keys, permissions and events */
  name: string
  version: string
  description?: string
  /** the manifests of the modules this one imports: by value, so a missing one fails to compile */
  depends?: readonly ModuleManifest[]
  /** absolute path of the module's `migrations/` folder */
  migrations?: string
  /** tables without tenant_id that this module owns (reference data), for the schema guard */
  globalTables?: readonly string[]
}

const NAME = /^[a-z][a-z0-9_]{1,39}$/

export function defineModule<const M extends ModuleManifest>(manifest: M): M {
  if (!NAME.test(manifest.name)) {
    throw new Error(`Module name "${manifest.name}" must be lower-case letters, digits or _ (2 to 40).`)
  }
  return manifest
}

export type { MigrationSource }
