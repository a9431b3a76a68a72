import type { MigrationSource } from '../db/migrations/source.ts'
import { registerEntities } from '../entities/registry.ts'
import { checkMenus, type ModuleManifest } from './define.ts'
import { kernelMenus } from './kernel-menus.ts'

export class ModuleGraphError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ModuleGraphError'
  }
}

export interface ModuleRegistry {
  /** enabled modules, every module after the modules it depends on */
  modules: readonly ModuleManifest[]
  get(name: string): ModuleManifest | undefined
}

/**
 * Orders the enabled modules so each comes after its dependencies. `enabled` optionally narrows
 * the installed list by name (TESSERA_MODULES); an unknown name, a dependency that is not enabled
 * or a cycle stops the start with a message naming the modules involved.
 */
export function createRegistry(
  installed: readonly ModuleManifest[],
  enabled?: readonly string[],
): ModuleRegistry {
  const byName = new Map<string, ModuleManifest>()
  for (const m of installed) {
    if (byName.has(m.name)) throw new ModuleGraphError(`Module "${m.name}" is installed twice.`)
    byName.set(m.name, m)
  }
  const wanted = enabled ?? installed.map((m) => m.name)
  for (const name of wanted) {
    if (!byName.has(name)) throw new ModuleGraphError(`Module "${name}" is enabled but not installed.`)
  }
  const wantedSet = new Set(wanted)

  const ordered: ModuleManifest[] = []
  const state = new Map<string, 'visiting' | 'done'>()
  const visit = (m: ModuleManifest, path: string[]): void => {
    const seen = state.get(m.name)
    if (seen === 'done') return
    if (seen === 'visiting') {
      throw new ModuleGraphError(`Module dependency cycle: ${[...path, m.name].join(' -> ')}.`)
    }
    state.set(m.name, 'visiting')
    for (const dep of m.depends ?? []) {
      if (!wantedSet.has(dep.name)) {
        throw new ModuleGraphError(`Module "${m.name}" depends on "${dep.name}", which is not enabled.`)
      }
      visit(byName.get(dep.name) ?? dep, [...path, m.name])
    }
    state.set(m.name, 'done')
    ordered.push(m)
  }
  for (const name of wanted) visit(byName.get(name) as ModuleManifest, [])
  for (const m of ordered) checkMenuParents(m)

  registerEntities(ordered.flatMap((m) => m.entities ?? []))
  return { modules: ordered, get: (name) => byName.get(name) }
}

/** The enabled module called `name`, if any (an installed but disabled module does not count). */
export function enabledModule(registry: ModuleRegistry, name: string): ModuleManifest | undefined {
  return registry.modules.find((m) => m.name === name)
}

/** Every module `m` depends on, directly or not. */
export function dependenciesOf(m: ModuleManifest): ModuleManifest[] {
  const found = new Map<string, ModuleManifest>()
  const walk = (x: ModuleManifest) => {
    for (const dep of x.depends ?? []) {
      if (found.has(dep.name)) continue
      found.set(dep.name, dep)
      walk(dep)
    }
  }
  walk(m)
  return [...found.values()]
}

/**
 * A menu entry may only sit under an entry that is shown whenever it is: the kernel's, its own
 * module's or a dependency's (a dependency is active whenever its dependant is).
 */
function checkMenuParents(m: ModuleManifest): void {
  checkMenus(m.name, m.menus ?? [])
  const known = new Set(
    [kernelMenus, m.menus ?? [], ...dependenciesOf(m).map((d) => d.menus ?? [])].flat().map((e) => e.id),
  )
  for (const entry of m.menus ?? []) {
    if (entry.parent !== undefined && !known.has(entry.parent)) {
      throw new ModuleGraphError(
        `Menu entry "${entry.id}" of module "${m.name}" sits under "${entry.parent}", which neither the kernel, "${m.name}" nor its dependencies declare.`,
      )
    }
  }
}

/** Migration sources in dependency order, each module's after the kernel's. */
export function migrationSources(kernel: MigrationSource, registry: ModuleRegistry): MigrationSource[] {
  const modules = registry.modules.flatMap((m) =>
    m.migrations ? [{ module: m.name, dir: m.migrations }] : [],
  )
  return [kernel, ...modules]
}

/** Tables without tenant_id by design: the kernel's and those the enabled modules declare. */
export function globalTables(kernelTables: readonly string[], registry: ModuleRegistry): string[] {
  return [...kernelTables, ...registry.modules.flatMap((m) => m.globalTables ?? [])]
}
