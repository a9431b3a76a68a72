import { KERNEL_PERMISSIONS, PERMISSION_PATTERN } from '../access/permissions.ts'
import type { MigrationSource } from '../db/migrations/source.ts'
import type { Db, Tx } from '../db/schema.ts'
import { entityPermissions } from '../entities/define.ts'
import type { EntityDefinition } from '../entities/definition.ts'
import type { EventSubscriber } from '../events/types.ts'
import type { Actor } from '../identity/authenticate.ts'

/** One navigation entry; GET /api/v1/menus nests them by `parent` into the member's tree. */
export interface MenuEntry {
  /** `<module>.<name>`, e.g. `sales.orders`: unique because it carries the module's name */
  id: string
  label: string
  /** the web app's path, e.g. `/sales/orders`; omitted for a group that only holds entries */
  path?: string
  /** an icon name the web app knows */
  icon?: string
  /** position among siblings, smaller first (default 100) */
  order?: number
  /** id of the entry this one sits under: the kernel's, this module's or a dependency's */
  parent?: string
  /** the right needed to see the entry, e.g. `sales.order:read`; none: every member */
  permission?: string
}

/**
 * A role template a module declares, e.g. Sales User. Every tenant that activates the module gets
 * it, read-only, refreshed on each activation; tenants build their own roles from permissions.
 */
export interface ModuleRole {
  /** `<module>_<name>`, e.g. `sales_user` (lower-case letters, digits or _, at most 40) */
  key: string
  name: string
  description?: string
  /** this module's permissions, its dependencies' or the kernel's */
  permissions: readonly string[]
}

/** What a module's seed receives when a tenant activates the module. */
export interface ModuleSeedContext {
  tenantId: string
  /** the member who activated the module */
  userId: string | null
  /** the activation's tenant transaction: the seed commits or rolls back with the activation */
  db: Tx
}

/**
 * The HTTP framework's types, filled in by the composition root through declaration merging:
 * `declare module '@tessera/kernel' { interface ModuleHttp { app: FastifyInstance } }`.
 * So the kernel names no framework, and a module's `routes` still get the server's real app
 * type without the module importing the server or the framework.
 */
// biome-ignore lint/suspicious/noEmptyInterface: declaration merging fills it in (see above)
export interface ModuleHttp {}

/** The app a module's routes are registered on: the server's type, or unknown without a server. */
export type ModuleHttpApp = ModuleHttp extends { app: infer App } ? App : unknown

/** What a module's routes receive besides the app. */
export interface ModuleRouteContext {
  module: string
  db: Db
  /** the signed-in member of a request; every module route is authenticated before it runs */
  actorOf(request: { actor?: Actor | null }): Actor
}

/**
 * A module's manifest: the only place a module registers anything (DESIGN.md, "The module
 * manifest"). Later capabilities add their own keys (entities, roles, subscribers, workflows,
 * settings); the registry reads only what exists today.
 */
export interface ModuleManifest {
  /** lower-case, e.g. `sales`; prefixes the module's entity keys, permissions, menus and events */
  name: string
  version: string
  description?: string
  /** the manifests of the modules this one imports: by value, so a missing one fails to compile */
  depends?: readonly ModuleManifest[]
  /** absolute path of the module's `migrations/` folder */
  migrations?: string
  /** tables without tenant_id that this module owns (reference data), for the schema guard */
  globalTables?: readonly string[]
  /**
   * the rights this module defines, `<module>.<entity>:<action>` (e.g. `sales.order:confirm`);
   * each entity's standard rights and workflow actions are added by defineModule
   */
  permissions?: readonly string[]
  /** the module's entities (defineEntity), each with generic REST under /api/v1/<resource> */
  entities?: readonly EntityDefinition[]
  /** role templates every tenant gets when it activates the module */
  roles?: readonly ModuleRole[]
  menus?: readonly MenuEntry[]
  /** in-process handlers of domain events (any module's), each effect once per event (events/types.ts) */
  subscribers?: readonly EventSubscriber[]
  /** the event types this module publishes that members may be notified of, e.g. `sales.order.confirmed` */
  events?: readonly string[]
  /**
   * Registers the module's endpoints under /api/v1. The server wraps them so each answers 404 to a
   * tenant that has not activated the module, and only to a signed-in member. A route declares the
   * right it needs as `config: { permission: 'sales.order:read' }`; the server refuses (403) a
   * member without it before the route runs.
   */
  routes?: (app: ModuleHttpApp, ctx: ModuleRouteContext) => Promise<void>
  /** the tenant's starting data, run once per tenant, on its first activation of the module */
  seed?: (ctx: ModuleSeedContext) => Promise<void>
  /**
   * sample data for the demo tenant only (`npm start` on an empty database), run after every
   * installed module is active there, in dependency order, in the tenant's transaction
   */
  demo?: (ctx: ModuleSeedContext) => Promise<void>
  /**
   * periodic platform work (5-field cron, UTC), run by the worker once per period across all
   * workers, e.g. a nightly recompute; `run` visits the tenants that have the module active
   */
  jobs?: readonly ModuleJob[]
}

/** A module's periodic job; `name` is `<module>.<job>`. */
export interface ModuleJob {
  name: string
  cron: string
  run(ctx: { db: Db }): Promise<void>
}

/** A module name: lower-case letters, digits or _, starting with a letter, 2 to 40 characters. */
export const MODULE_NAME = /^[a-z][a-z0-9_]{1,39}$/
const PERMISSION = PERMISSION_PATTERN
const ROLE_KEY = /^[a-z][a-z0-9_]{1,39}$/
const MENU_NAME = /^[a-z0-9][a-z0-9_.-]{0,79}$/

export function defineModule<const M extends ModuleManifest>(
  manifest: M,
): M & { permissions: readonly string[] } {
  if (!MODULE_NAME.test(manifest.name)) {
    throw new Error(`Module name "${manifest.name}" must be lower-case letters, digits or _ (2 to 40).`)
  }
  if (manifest.name === 'kernel' || manifest.name === 'custom')
    throw new Error(`The module name "${manifest.name}" is reserved.`)
  for (const entity of manifest.entities ?? []) {
    if (!entity.key.startsWith(`${manifest.name}.`))
      throw new Error(
        `Entity "${entity.key}" of module "${manifest.name}" must have a key ${manifest.name}.<entity>.`,
      )
  }
  const permissions = [
    ...new Set([...(manifest.permissions ?? []), ...(manifest.entities ?? []).flatMap(entityPermissions)]),
  ]
  const withEntities = { ...manifest, permissions }
  for (const permission of permissions) {
    if (!PERMISSION.test(permission) || !permission.startsWith(`${manifest.name}.`)) {
      throw new Error(
        `Permission "${permission}" of module "${manifest.name}" must read ${manifest.name}.<entity>:<action>.`,
      )
    }
  }
  checkMenus(manifest.name, manifest.menus ?? [])
  checkRoles(withEntities)
  return withEntities
}

/**
 * A module's roles carry its name and grant only permissions that exist whenever the module is
 * active: its own, its dependencies' and the kernel's (but never an owner-only one).
 */
function checkRoles(m: ModuleManifest): void {
  const grantable = new Set([
    ...KERNEL_PERMISSIONS.filter((p) => !p.owner_only).map((p) => p.permission),
    ...(m.permissions ?? []),
    ...(m.depends ?? []).flatMap((d) => d.permissions ?? []),
  ])
  const seen = new Set<string>()
  for (const role of m.roles ?? []) {
    const where = `Role "${role.key}" of module "${m.name}"`
    if (!role.key.startsWith(`${m.name}_`) || !ROLE_KEY.test(role.key)) {
      throw new Error(`${where} must have a key "${m.name}_<name>" (lower-case, digits, _; at most 40).`)
    }
    if (seen.has(role.key)) throw new Error(`${where} is declared twice.`)
    seen.add(role.key)
    if (role.name.trim() === '' || role.name.length > 100) {
      throw new Error(`${where} needs a name of 1 to 100 characters.`)
    }
    const unknown = role.permissions.find((p) => !grantable.has(p))
    if (unknown !== undefined) {
      throw new Error(
        `${where} grants "${unknown}", which neither "${m.name}", its dependencies nor the kernel declare.`,
      )
    }
  }
}

/** Menu ids carry their module's name, so two modules can never declare the same entry. */
export function checkMenus(module: string, menus: readonly MenuEntry[]): void {
  const seen = new Set<string>()
  for (const entry of menus) {
    const where = `Menu entry "${entry.id}" of module "${module}"`
    if (!entry.id.startsWith(`${module}.`) || !MENU_NAME.test(entry.id.slice(module.length + 1))) {
      throw new Error(`${where} must have an id "${module}.<name>" (lower-case, digits, _ . -).`)
    }
    if (seen.has(entry.id)) throw new Error(`${where} is declared twice.`)
    seen.add(entry.id)
    if (entry.label.trim() === '' || entry.label.length > 100) {
      throw new Error(`${where} needs a label of 1 to 100 characters.`)
    }
    if (entry.path !== undefined && !/^\/[A-Za-z0-9/_.-]*$/.test(entry.path)) {
      throw new Error(`${where} has a path that is not an absolute path of the web app.`)
    }
    if (entry.permission !== undefined && !PERMISSION.test(entry.permission)) {
      throw new Error(`${where} requires "${entry.permission}", which is not <module>.<entity>:<action>.`)
    }
    if (entry.order !== undefined && !Number.isInteger(entry.order)) {
      throw new Error(`${where} has an order that is not an integer.`)
    }
  }
}

export type { MigrationSource }
