import { createHash } from 'node:crypto'
import type { Selectable } from 'kysely'
import { canonicalJson } from '../idempotency/request-hash.ts'
import type { AuditLogTable } from './tables.ts'

/** The `prev_hash` of a tenant's first row. */
export const GENESIS_HASH = '0'.repeat(64)

export type AuditValues = Record<string, unknown>

/** What one audit row says: everything it stores except its own hash and the previous one. */
export interface AuditContent {
  tenant_id: string
  id: string
  seq: number
  occurred_at: string
  user_id: string | null
  api_key_id: string | null
  request_id: string | null
  entity: string
  record_id: string
  action: string
  old_values: AuditValues | null
  new_values: AuditValues | null
}

/**
 * The row's link in its tenant's chain: sha256 (hex) of its canonical JSON (keys sorted at every
 * level) followed by the previous row's hash. Changing any stored value, the order of rows or
 * a row's position breaks this row's hash or the next row's `prev_hash`.
 */
export function chainHash(content: AuditContent, prevHash: string): string {
  return createHash('sha256').update(canonicalJson(content)).update(prevHash).digest('hex')
}

/**
 * Values as jsonb will give them back: plain JSON (dates as ISO strings, decimals through their
 * toJSON, undefined properties dropped). Hashing this form, not the caller's objects, is what
 * makes the hash recomputable from the stored row.
 */
export function asStoredJson(values: AuditValues | null): AuditValues | null {
  return values === null ? null : (JSON.parse(JSON.stringify(values)) as AuditValues)
}

/** The hashed content of a stored row (its hashes left out). */
export function contentOf(row: Selectable<AuditLogTable>): AuditContent {
  return {
    tenant_id: row.tenant_id,
    id: row.id,
    seq: Number(row.seq),
    occurred_at: row.occurred_at,
    user_id: row.user_id,
    api_key_id: row.api_key_id,
    request_id: row.request_id,
    entity: row.entity,
    record_id: row.record_id,
    action: row.action,
    old_values: row.old_values,
    new_values: row.new_values,
  }
}
