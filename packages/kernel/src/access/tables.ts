import type { ColumnType } from 'kysely'
import type { Tx } from '../db/schema.ts'

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>

/** A role of a tenant (migration 0009_roles.sql). */
export interface RolesTable {
  tenant_id: string
  id: string
  key: string
  name: string
  description: string | null
  permissions: ColumnType<string[], string[] | undefined, string[]>
  /** null: defined by the tenant; otherwise the template's source, `kernel` or a module */
  origin: string | null
  created_at: Timestamp
  updated_at: Timestamp
  created_by: string | null
  updated_by: string | null
  version: ColumnType<number, number | undefined, number>
}

/** A company a member may work in. */
export interface MembershipCompaniesTable {
  tenant_id: string
  membership_id: string
  company_id: string
  created_at: Timestamp
  created_by: string | null
}

// a type, not an interface: Kysely's withTables wants an indexable record
export type AccessTables = { roles: RolesTable; membership_companies: MembershipCompaniesTable }

/** The transaction, seeing the access tables too; a no-op at run time. */
export function accessTx(trx: Tx) {
  return trx.withTables<AccessTables>()
}
