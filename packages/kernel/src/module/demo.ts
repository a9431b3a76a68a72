import type { Db } from '../db/schema.ts'
import { withTenant } from '../db/tenant.ts'
import { type EntityContext, entityContext } from '../entities/context.ts'
import { setModuleActive } from './activation.ts'
import type { ModuleSeedContext } from './define.ts'
import type { ModuleRegistry } from './registry.ts'

/**
 * The demo tenant (`npm start` on an empty database): every enabled module activated, in
 * dependency order, then each module's `demo` hook, so the first look at Tessera is not empty.
 * One transaction: a failing hook leaves no half-filled demo.
 */
export async function fillDemoTenant(
  db: Db,
  registry: ModuleRegistry,
  owner: { tenantId: string; userId: string },
): Promise<void> {
  await withTenant(db, owner.tenantId, async (trx) => {
    for (const m of registry.modules) await setModuleActive(trx, registry, m.name, true, owner)
    for (const m of registry.modules) await m.demo?.({ ...owner, db: trx })
  })
}

/**
 * What a demo hook writes through: the entity store acting as the demo owner with every right,
 * so demo records are validated, audited and published like any member's.
 */
export async function demoEntityContext(seed: ModuleSeedContext): Promise<EntityContext> {
  const companies = await seed.db.selectFrom('companies').select('id').orderBy('created_at').execute()
  const companyIds = companies.map((c) => c.id)
  return entityContext(seed.db, {
    userId: seed.userId as string,
    tenantId: seed.tenantId,
    sessionId: null,
    apiKeyId: null,
    roles: ['owner'],
    permissions: ['*'],
    companyIds,
    companyId: companyIds[0] ?? null,
    via: 'token',
  })
}
