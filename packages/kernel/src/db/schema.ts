import type { ColumnType, Generated, Kysely, Transaction } from 'kysely'
import type { IdentityTables } from '../identity/tables.ts'

/** Column types shared by every tenant table (DESIGN.md, data conventions). */
export interface StandardColumns {
  created_at: ColumnType<Date, Date | string | undefined, never>
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>
  created_by: string | null
  updated_by: string | null
  version: ColumnType<number, number | undefined, number>
  custom: ColumnType<Record<string, unknown>, string | undefined, string>
}

export interface TenantsTable {
  id: string
  name: string
  slug: string
  status: ColumnType<'active' | 'suspended' | 'closed', string | undefined, string>
  plan: ColumnType<string, string | undefined, string>
  settings: ColumnType<Record<string, unknown>, string | undefined, string>
  created_at: ColumnType<Date, Date | string | undefined, never>
}

export interface CurrenciesTable {
  code: string
  name: string
  minor_unit: number
}

export interface CompaniesTable extends StandardColumns {
  tenant_id: string
  id: string
  name: string
  currency: string
  country: string | null
  timezone: string
  logo_url: string | null
  primary_color: string | null
  archived_at: Date | null
}

export interface MigrationsTable {
  id: string
  checksum: string
  applied_at: Generated<Date>
}

/** The kernel's own tables. Modules extend this with `db.withTables<TheirTables>()`. */
export interface KernelTables extends IdentityTables {
  tenants: TenantsTable
  currencies: CurrenciesTable
  companies: CompaniesTable
  tessera_migrations: MigrationsTable
}

export type Db = Kysely<KernelTables>
export type Tx = Transaction<KernelTables>
