import type { EntityDefinition } from './definition.ts'

/**
 * The code-defined entities of the installed modules, by key and by REST resource. Definitions are
 * code, the same in every tenant; which tenants may use them is the module's activation.
 */
const byKey = new Map<string, EntityDefinition>()
const byResource = new Map<string, EntityDefinition>()

/** Registers a module's entities; registering the same definition twice is harmless. */
export function registerEntities(definitions: readonly EntityDefinition[]): void {
  for (const definition of definitions) {
    const known = byKey.get(definition.key)
    if (known === definition) continue
    if (known) throw new Error(`entities: two definitions claim the key ${definition.key}`)
    const other = byResource.get(definition.resource)
    if (other)
      throw new Error(
        `entities: ${definition.key} and ${other.key} share the resource ${definition.resource}`,
      )
    byKey.set(definition.key, definition)
    byResource.set(definition.resource, definition)
  }
}

export function codeEntity(key: string): EntityDefinition | undefined {
  return byKey.get(key)
}

export function codeEntityByResource(resource: string): EntityDefinition | undefined {
  return byResource.get(resource)
}
