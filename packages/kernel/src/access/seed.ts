import { sql } from 'kysely'
import type { Tx } from '../db/schema.ts'
import { newId } from '../ids.ts'
import { accessTx } from './tables.ts'
import {
  KERNEL_ROLE_TEMPLATES,
  type ModuleRoleSource,
  moduleRoleTemplates,
  type RoleTemplate,
} from './templates.ts'

/**
 * Writes templates into the transaction's tenant. A template row is refreshed from code (a new
 * module version may change its roles); a tenant-defined role that happens to use the same key
 * is left alone, since the tenant's own definition wins.
 */
async function upsertTemplates(trx: Tx, tenantId: string, templates: readonly RoleTemplate[]) {
  for (const template of templates) {
    const values = {
      name: template.name,
      description: template.description,
      permissions: [...template.permissions],
    }
    await accessTx(trx)
      .insertInto('roles')
      .values({ tenant_id: tenantId, id: newId(), key: template.key, origin: template.origin, ...values })
      .onConflict((oc) =>
        oc
          .columns(['tenant_id', 'key'])
          .doUpdateSet({ ...values, updated_at: sql`now()`, version: sql`roles.version + 1` })
          .where('roles.origin', '=', template.origin)
          .where(
            sql<boolean>`(roles.name, roles.description, roles.permissions) is distinct from (${values.name}, ${values.description}, ${sql.val(values.permissions)}::text[])`,
          ),
      )
      .execute()
  }
}

/** The kernel's role templates for a new tenant; runs inside the tenant (after enterTenant). */
export function seedTenantRoles(trx: Tx, tenantId: string): Promise<void> {
  return upsertTemplates(trx, tenantId, KERNEL_ROLE_TEMPLATES)
}

/** A module's role templates, when the tenant activates the module (every time: they may change). */
export function seedModuleRoles(trx: Tx, tenantId: string, m: ModuleRoleSource): Promise<void> {
  return upsertTemplates(trx, tenantId, moduleRoleTemplates(m))
}
