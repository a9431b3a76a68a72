import { sql } from 'kysely'
import type { Tx } from '../../db/schema.ts'
import type { ColumnFieldMetadata, EntityMetadata } from '../../filters/metadata.ts'

const column = (
  name: string,
  type: ColumnFieldMetadata['type'],
  extra: Partial<ColumnFieldMetadata> = {},
): ColumnFieldMetadata => ({ column: name, type, ...extra })

/** The tenant's legal entities (table `companies`). */
export const companyEntity: EntityMetadata = {
  name: 'kernel.company',
  table: 'companies',
  tenantColumn: 'tenant_id',
  fields: {
    id: column('id', 'uuid'),
    name: column('name', 'text'),
    currency: column('currency', 'text'),
    country: column('country', 'text'),
    timezone: column('timezone', 'text'),
    logo_url: column('logo_url', 'text'),
    primary_color: column('primary_color', 'text'),
    created_at: column('created_at', 'datetime'),
    updated_at: column('updated_at', 'datetime'),
    created_by: column('created_by', 'uuid'),
    updated_by: column('updated_by', 'uuid'),
    version: column('version', 'integer'),
    archived_at: column('archived_at', 'datetime'),
  },
}

/** The role keys every tenant may use before it defines its own (the role templates). */
const TEMPLATE_ROLES = ['owner', 'admin', 'manager', 'user']

/**
 * A member of the tenant: memberships joined to users, through the `member_directory` view
 * (0010_access_rules.sql) so rules compile against one relation. Roles are tenant data, so the
 * options of `roles` are read per tenant: the templates, every role a member holds and every role
 * a rule names. A rule comparing `roles` with a role that later disappears from all of these no
 * longer validates and then allows nothing (see recordScope): it could match no member anyway.
 */
export async function memberEntity(trx: Tx): Promise<EntityMetadata> {
  const { rows } = await sql<{ role: string }>`
    select unnest(roles) as role from memberships
    union select role from record_rules
    union select role from field_rules`.execute(trx)
  const roles = [...new Set([...TEMPLATE_ROLES, ...rows.map((r) => r.role)])].sort()
  return {
    name: 'kernel.member',
    table: 'member_directory',
    tenantColumn: 'tenant_id',
    fields: {
      id: column('id', 'uuid'),
      user_id: column('user_id', 'uuid'),
      email: column('email', 'text'),
      name: column('name', 'text'),
      status: column('status', 'select', { options: ['active', 'disabled'] }),
      roles: column('roles', 'multi_select', { options: roles }),
      created_at: column('created_at', 'datetime'),
      updated_at: column('updated_at', 'datetime'),
    },
  }
}
