import type { ColumnType } from 'kysely'
import type { Tx } from '../db/schema.ts'

/** jsonb: JSON text on insert, parsed on select. */
type Json = ColumnType<Record<string, unknown> | null, string | null, never>

/** One row of a tenant's audit trail (migration 0014_audit.sql). Insert-only. */
export interface AuditLogTable {
  tenant_id: string
  id: string
  /** bigint: pg returns it as text */
  seq: ColumnType<string, number, never>
  occurred_at: string
  user_id: string | null
  api_key_id: string | null
  request_id: string | null
  entity: string
  record_id: string
  action: string
  old_values: Json
  new_values: Json
  prev_hash: string
  hash: string
}

/** The last link of a tenant's chain. */
export interface AuditHeadsTable {
  tenant_id: string
  seq: ColumnType<string, number, number>
  hash: string
}

// a type, not an interface: Kysely's withTables wants an indexable record
export type AuditTables = { audit_log: AuditLogTable; audit_heads: AuditHeadsTable }

/** The transaction, seeing the audit tables too; a no-op at run time. */
export function auditTx(trx: Tx) {
  return trx.withTables<AuditTables>()
}
