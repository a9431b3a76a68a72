import { sql } from 'kysely'
import type { Tx } from '../db/schema.ts'
import { newId } from '../ids.ts'
import { type AuditContent, type AuditValues, asStoredJson, chainHash, GENESIS_HASH } from './chain.ts'

/** One thing to record: who did what to which record, and the values it changed. */
export interface AuditEntry {
  tenantId: string
  userId: string | null
  apiKeyId: string | null
  requestId: string | null
  entity: string
  recordId: string
  action: string
  oldValues: AuditValues | null
  newValues: AuditValues | null
}

/**
 * Appends `entry` to its tenant's chain inside `trx` (the tenant's transaction: it commits or
 * rolls back with the change it records). The upsert on the tenant's `audit_heads` row locks it
 * until commit, so concurrent writers of one tenant take turns: each sees the head the previous
 * one committed, and the chain neither forks nor skips a number. Other tenants are not held up.
 */
export async function appendAudit(trx: Tx, entry: AuditEntry): Promise<void> {
  const { rows } = await sql<{ seq: string; hash: string }>`
    insert into audit_heads as h (tenant_id, seq, hash) values (${entry.tenantId}, 0, ${GENESIS_HASH})
    on conflict (tenant_id) do update set seq = h.seq
    returning seq, hash`.execute(trx)
  const head = rows[0]
  if (!head) throw new Error('audit: the chain head was not returned')
  const content: AuditContent = {
    tenant_id: entry.tenantId,
    id: newId(),
    seq: Number(head.seq) + 1,
    occurred_at: new Date().toISOString(),
    user_id: entry.userId,
    api_key_id: entry.apiKeyId,
    request_id: entry.requestId,
    entity: entry.entity,
    record_id: entry.recordId,
    action: entry.action,
    old_values: asStoredJson(entry.oldValues),
    new_values: asStoredJson(entry.newValues),
  }
  const hash = chainHash(content, head.hash)
  const json = (values: AuditValues | null) => (values === null ? null : JSON.stringify(values))
  await sql`
    with moved as (
      update audit_heads set seq = ${content.seq}, hash = ${hash} where tenant_id = ${content.tenant_id}
    )
    insert into audit_log (tenant_id, id, seq, occurred_at, user_id, api_key_id, request_id, entity,
                           record_id, action, old_values, new_values, prev_hash, hash)
    values (${content.tenant_id}, ${content.id}, ${content.seq}, ${content.occurred_at}, ${content.user_id},
            ${content.api_key_id}, ${content.request_id}, ${content.entity}, ${content.record_id},
            ${content.action}, ${json(content.old_values)}::jsonb, ${json(content.new_values)}::jsonb,
            ${head.hash}, ${hash})`.execute(trx)
}
