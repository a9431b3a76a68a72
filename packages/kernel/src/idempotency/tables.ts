import type { ColumnType } from 'kysely'
import type { Tx } from '../db/schema.ts'

/** A stored response to a POST carrying Idempotency-Key (migration 0013_idempotency.sql). */
export interface IdempotencyKeysTable {
  tenant_id: string
  caller: string
  key: string
  request_hash: string
  status_code: number
  /** the response body as JSON text on insert; jsonb comes back parsed */
  response: ColumnType<unknown, string, string>
  created_at: ColumnType<Date, Date | string | undefined, Date | string>
}

// a type, not an interface: Kysely's withTables wants an indexable record
export type IdempotencyTables = { idempotency_keys: IdempotencyKeysTable }

/** The transaction, seeing the idempotency table too; a no-op at run time. */
export function idempotencyTx(trx: Tx) {
  return trx.withTables<IdempotencyTables>()
}
