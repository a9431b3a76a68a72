import type { ColumnType } from 'kysely'
import type { Tx } from '../db/schema.ts'

/** A module's state in one tenant (migration 0008_modules.sql). */
export interface TenantModulesTable {
  tenant_id: string
  module: string
  active: ColumnType<boolean, boolean | undefined, boolean>
  activated_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
  deactivated_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
  seeded_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
  created_at: ColumnType<Date, Date | string | undefined, never>
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>
  created_by: string | null
  updated_by: string | null
  version: ColumnType<number, number | undefined, number>
}

// a type, not an interface: Kysely's withTables wants an indexable record
export type ModuleTables = { tenant_modules: TenantModulesTable }

/** The transaction, seeing the module tables too; a no-op at run time. */
export function modulesTx(trx: Tx) {
  return trx.withTables<ModuleTables>()
}
