import { sql } from 'kysely'
import { APP_ROLE } from './roles.ts'
import type { Db } from './schema.ts'

export interface SchemaViolation {
  table: string
  problem: string
}

interface TableRow {
  oid: number
  name: string
  rls: boolean
  forced: boolean
  tenant_attnum: number | null
  tenant_type: string | null
  tenant_not_null: boolean | null
  pk: number[] | null
  app_can_write: boolean
}

interface ForeignKeyRow {
  table_oid: number
  name: string
  keys: number[]
  ref_name: string
  ref_keys: number[]
  ref_tenant_attnum: number | null
}

interface PolicyRow {
  table_oid: number
  name: string
  permissive: boolean
  qual: string | null
  check: string | null
}

const TENANT_EXPR = "current_setting('app.tenant_id'::text, true)"

/**
 * Reads the catalog and lists every table that breaks the tenancy rules (DESIGN.md): a table is
 * either on the explicit global list (and then read-only to the app role), or tenant-scoped:
 * `tenant_id uuid not null` leading the primary key and every foreign key to a tenant table, and
 * row-level security enabled, forced, and filtered on `app.tenant_id` by every permissive policy.
 * This keeps isolation provable and the schema distributable by tenant (Citus).
 */
export async function checkSchema(db: Db, globalTables: readonly string[]): Promise<SchemaViolation[]> {
  const tables = (
    await sql<TableRow>`
      select c.oid::int as oid, c.relname as name, c.relrowsecurity as rls, c.relforcerowsecurity as forced,
             a.attnum::int as tenant_attnum, format_type(a.atttypid, a.atttypmod) as tenant_type,
             a.attnotnull as tenant_not_null,
             (select array_agg(k::int order by o) from pg_constraint p, unnest(p.conkey) with ordinality u(k, o)
               where p.conrelid = c.oid and p.contype = 'p') as pk,
             has_table_privilege(${APP_ROLE}::name, c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE') as app_can_write
        from pg_class c
        join pg_namespace n on n.oid = c.relnamespace
        left join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped
       where n.nspname = 'public' and c.relkind in ('r', 'p')
       order by c.relname`.execute(db)
  ).rows
  const foreignKeys = (
    await sql<ForeignKeyRow>`
      select f.conrelid::int as table_oid, f.conname as name,
             (select array_agg(k::int order by o) from unnest(f.conkey) with ordinality u(k, o)) as keys,
             r.relname as ref_name,
             (select array_agg(k::int order by o) from unnest(f.confkey) with ordinality u(k, o)) as ref_keys,
             ra.attnum::int as ref_tenant_attnum
        from pg_constraint f
        join pg_class r on r.oid = f.confrelid
        left join pg_attribute ra on ra.attrelid = r.oid and ra.attname = 'tenant_id' and not ra.attisdropped
       where f.contype = 'f'`.execute(db)
  ).rows
  const policies = (
    await sql<PolicyRow>`
      select polrelid::int as table_oid, polname as name, polpermissive as permissive,
             pg_get_expr(polqual, polrelid) as qual, pg_get_expr(polwithcheck, polrelid) as check
        from pg_policy`.execute(db)
  ).rows

  const globals = new Set(globalTables)
  const violations: SchemaViolation[] = []
  const add = (table: string, problem: string) => violations.push({ table, problem })

  for (const t of tables) {
    if (globals.has(t.name)) {
      if (t.app_can_write) add(t.name, `global table is writable by ${APP_ROLE}`)
      continue
    }
    if (t.tenant_attnum === null) {
      add(t.name, 'has no tenant_id column and is not on the global list')
      continue
    }
    if (t.tenant_type !== 'uuid' || !t.tenant_not_null) add(t.name, 'tenant_id must be uuid not null')
    if (!t.pk || t.pk[0] !== t.tenant_attnum) add(t.name, 'primary key must start with tenant_id')
    if (!t.rls) add(t.name, 'row-level security is not enabled')
    if (!t.forced) add(t.name, 'row-level security is not forced')

    const own = policies.filter((p) => p.table_oid === t.oid && p.permissive)
    if (own.length === 0) add(t.name, 'has no tenant isolation policy')
    for (const p of own) {
      const filtersTenant = (expr: string | null) => expr?.includes('tenant_id') && expr.includes(TENANT_EXPR)
      if (!filtersTenant(p.qual) || (p.check !== null && !filtersTenant(p.check))) {
        add(t.name, `policy ${p.name} does not filter on app.tenant_id`)
      }
    }

    for (const fk of foreignKeys.filter((f) => f.table_oid === t.oid)) {
      if (globals.has(fk.ref_name) && fk.ref_name !== 'tenants') continue // reference data
      const refTenantKey = fk.ref_name === 'tenants' ? fk.ref_keys[0] : fk.ref_tenant_attnum
      if (fk.keys[0] !== t.tenant_attnum || fk.ref_keys[0] !== refTenantKey) {
        add(t.name, `foreign key ${fk.name} must lead with tenant_id`)
      }
    }
  }
  return violations
}

/** Objects owned by the application role: there must be none (it only ever gets granted rights). */
export async function objectsOwnedByAppRole(db: Db): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select relname as name from pg_class where relowner = ${APP_ROLE}::text::regrole
    union all select proname from pg_proc where proowner = ${APP_ROLE}::text::regrole
    union all select nspname from pg_namespace where nspowner = ${APP_ROLE}::text::regrole`.execute(db)
  return rows.map((r) => r.name)
}
