import type { ColumnType } from 'kysely'
import type { Tx } from '../../db/schema.ts'

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>

/** A role's filter on an entity (migration 0010_access_rules.sql). */
export interface RecordRulesTable {
  tenant_id: string
  id: string
  role: string
  entity: string
  filter: string
  description: string | null
  created_at: Timestamp
  updated_at: Timestamp
  created_by: string | null
  updated_by: string | null
  version: ColumnType<number, number | undefined, number>
}

export type FieldAccessLevel = 'hidden' | 'read_only'

/** A field a role may not see or not change. */
export interface FieldRulesTable {
  tenant_id: string
  id: string
  role: string
  entity: string
  field: string
  access: FieldAccessLevel
  created_at: Timestamp
  updated_at: Timestamp
  created_by: string | null
  updated_by: string | null
  version: ColumnType<number, number | undefined, number>
}

/** memberships joined to users: the kernel.member entity's relation (read-only view). */
export interface MemberDirectoryView {
  tenant_id: string
  id: string
  user_id: string
  email: string
  name: string
  status: 'active' | 'disabled'
  roles: string[]
  created_at: Date
  updated_at: Date
}

// a type, not an interface: Kysely's withTables wants an indexable record
export type AccessRulesTables = {
  record_rules: RecordRulesTable
  field_rules: FieldRulesTable
  member_directory: MemberDirectoryView
}

/** The transaction, seeing the access-rule tables too; a no-op at run time. */
export function rulesTx(trx: Tx) {
  return trx.withTables<AccessRulesTables>()
}
