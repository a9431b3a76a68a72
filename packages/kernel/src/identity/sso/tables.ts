import type { ColumnType } from 'kysely'
import type { Tx } from '../../db/schema.ts'

/** A sign-in sent to the provider and not yet come back (migration 0007_sso.sql). */
export interface SsoLoginAttemptsTable {
  tenant_id: string
  id: string
  provider_id: string
  state_hash: string
  nonce: string
  /** the PKCE verifier, sealed for this row */
  code_verifier: string
  created_at: ColumnType<Date, Date | string | undefined, never>
  expires_at: ColumnType<Date, Date | string, never>
}

// a type, not an interface: Kysely's withTables wants an indexable record
export type SsoTables = {
  sso_login_attempts: SsoLoginAttemptsTable
}

/** The transaction, seeing the SSO tables too. */
export function ssoTx(trx: Tx) {
  return trx.withTables<SsoTables>()
}
