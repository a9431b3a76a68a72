import { type Static, Type } from '@sinclair/typebox'
import { sql } from 'kysely'
import { seedModuleRoles } from '../access/seed.ts'
import type { Tx } from '../db/schema.ts'
import { BusinessRule, NotFound } from '../errors/errors.ts'
import { type RequestMeta, recordSecurityEvent } from '../identity/security-events.ts'
import { parse } from '../schemas/validate.ts'
import type { ModuleManifest } from './define.ts'
import { enabledModule, type ModuleRegistry } from './registry.ts'
import { modulesTx } from './tables.ts'

/** An enabled module as one tenant sees it: GET /api/v1/modules. */
export interface ModuleState {
  name: string
  version: string
  description: string | null
  dependencies: string[]
  active: boolean
  activated_at: string | null
}

/** PATCH /api/v1/modules/{name}: the one thing a tenant changes about a module. */
export const ModuleChangeInput = Type.Object(
  {
    active: Type.Boolean({ description: 'true activates the module for this tenant, false deactivates it' }),
  },
  { additionalProperties: false },
)
export type ModuleChange = Static<typeof ModuleChangeInput>

/** Advisory lock class for module changes; the second key is the tenant. */
const MODULE_CHANGE_LOCK = 7_371_602

interface Row {
  module: string
  active: boolean
  activated_at: Date | null
  seeded_at: Date | null
}

async function rowsOf(trx: Tx): Promise<Map<string, Row>> {
  const rows = await modulesTx(trx)
    .selectFrom('tenant_modules')
    .select(['module', 'active', 'activated_at', 'seeded_at'])
    .execute()
  return new Map(rows.map((row) => [row.module, row]))
}

function stateOf(m: ModuleManifest, row: Row | undefined): ModuleState {
  const active = row?.active ?? false
  return {
    name: m.name,
    version: m.version,
    description: m.description ?? null,
    dependencies: (m.depends ?? []).map((d) => d.name),
    active,
    activated_at: active && row?.activated_at ? new Date(row.activated_at).toISOString() : null,
  }
}

/** Names of the modules active in the transaction's tenant (enabled or not). */
export async function activeModuleNames(trx: Tx): Promise<Set<string>> {
  const rows = await modulesTx(trx)
    .selectFrom('tenant_modules')
    .select('module')
    .where('active', '=', true)
    .execute()
  return new Set(rows.map((row) => row.module))
}

/** Whether the transaction's tenant has activated `name`: one primary-key lookup. */
export async function isModuleActive(trx: Tx, name: string): Promise<boolean> {
  const row = await modulesTx(trx)
    .selectFrom('tenant_modules')
    .select('active')
    .where('module', '=', name)
    .executeTakeFirst()
  return row?.active ?? false
}

/** Every enabled module, in dependency order, with its state in the transaction's tenant. */
export async function moduleStates(trx: Tx, registry: ModuleRegistry): Promise<ModuleState[]> {
  const rows = await rowsOf(trx)
  return registry.modules.map((m) => stateOf(m, rows.get(m.name)))
}

/** One enabled module's state, or 404. */
export async function moduleState(trx: Tx, registry: ModuleRegistry, name: string): Promise<ModuleState> {
  const m = enabledModuleOr404(registry, name)
  return stateOf(m, (await rowsOf(trx)).get(m.name))
}

function enabledModuleOr404(registry: ModuleRegistry, name: string): ModuleManifest {
  const m = enabledModule(registry, name)
  if (!m) throw new NotFound(`No module is called "${name}".`)
  return m
}

const quoted = (names: string[]) => names.map((n) => `"${n}"`).join(', ')

/** Who changes a module's state; `meta` says where from, for the security log. */
export interface ModuleChangedBy {
  tenantId: string
  userId: string | null
  meta?: RequestMeta
}

/**
 * Activates or deactivates a module for the transaction's tenant. Activation needs every
 * dependency active (refused with 422 naming them, rather than activating them behind the
 * administrator's back) and runs the module's seed in this transaction the first time only.
 * Deactivation is refused while an active module depends on it. Setting the current state again
 * changes nothing. Changes of one tenant are serialised, so two concurrent requests cannot leave
 * an active module with an inactive dependency.
 */
export async function setModuleActive(
  trx: Tx,
  registry: ModuleRegistry,
  name: string,
  active: boolean,
  by: ModuleChangedBy,
): Promise<ModuleState> {
  const m = enabledModuleOr404(registry, name)
  await sql`select pg_advisory_xact_lock(${MODULE_CHANGE_LOCK}, hashtext(${by.tenantId}))`.execute(trx)
  const rows = await rowsOf(trx)
  const isActive = (n: string) => rows.get(n)?.active ?? false
  const row = rows.get(name)
  if (isActive(name) === active) return stateOf(m, row)

  if (active) {
    const inactive = (m.depends ?? []).map((d) => d.name).filter((n) => !isActive(n))
    if (inactive.length > 0) {
      throw new BusinessRule(
        'module_dependency_inactive',
        `Module "${name}" needs ${quoted(inactive)}, which ${inactive.length > 1 ? 'are' : 'is'} not active: activate ${inactive.length > 1 ? 'them' : 'it'} first.`,
      )
    }
  } else {
    const dependants = registry.modules
      .filter((x) => isActive(x.name) && (x.depends ?? []).some((d) => d.name === name))
      .map((x) => x.name)
    if (dependants.length > 0) {
      throw new BusinessRule(
        'module_required',
        `Module "${name}" is needed by ${quoted(dependants)}, which ${dependants.length > 1 ? 'are' : 'is'} active: deactivate ${dependants.length > 1 ? 'them' : 'it'} first.`,
      )
    }
  }

  // the module's role templates first, so its seed may hand them out; refreshed on every
  // activation, since a new version of the module may have changed them
  if (active) await seedModuleRoles(trx, by.tenantId, m)
  // seeded_at marks the first activation, whether or not the module has a seed
  const seeding = active && !row?.seeded_at
  if (seeding && m.seed) await m.seed({ tenantId: by.tenantId, userId: by.userId, db: trx })
  const now = new Date()
  const change = {
    active,
    ...(active ? { activated_at: now, deactivated_at: null } : { deactivated_at: now }),
    ...(seeding ? { seeded_at: now } : {}),
    updated_by: by.userId,
  }
  const db = modulesTx(trx)
  if (row) {
    await db
      .updateTable('tenant_modules')
      .set({ ...change, updated_at: now, version: sql`version + 1` })
      .where('module', '=', name)
      .execute()
  } else {
    await db
      .insertInto('tenant_modules')
      .values({ tenant_id: by.tenantId, module: name, ...change, created_by: by.userId })
      .execute()
  }
  // what a tenant runs changes its permissions, roles and routes: a security event, committed with it
  await recordSecurityEvent(
    trx,
    by.tenantId,
    active ? 'module.activated' : 'module.deactivated',
    by.meta ?? { ip: null, userAgent: null },
    {
      userId: by.userId,
      details: { module: name, version: m.version, ...(active ? { seeded: seeding } : {}) },
    },
  )
  return stateOf(m, { module: name, active, activated_at: active ? now : null, seeded_at: null })
}

/** `setModuleActive` for untrusted input: the body is parsed first (400 naming each bad field). */
export function changeModule(
  trx: Tx,
  registry: ModuleRegistry,
  name: string,
  input: unknown,
  by: ModuleChangedBy,
): Promise<ModuleState> {
  const { active } = parse(ModuleChangeInput, input)
  return setModuleActive(trx, registry, name, active, by)
}
