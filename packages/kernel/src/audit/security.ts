import type { Tx } from '../db/schema.ts'
import { appendAudit } from './append.ts'

/** The `entity` of audit rows that record security events (their record id is the event's id). */
export const SECURITY_EVENT_ENTITY = 'kernel.security_event'

/** A security event as the security log stored it. */
export interface AuditedSecurityEvent {
  tenantId: string
  id: string
  type: string
  userId: string | null
  apiKeyId: string | null
  ip: string | null
  userAgent: string | null
  details: Record<string, unknown>
  /** the request that caused it, when one did */
  requestId: string | null
}

/**
 * Appends a security event to the audit trail, in the transaction that logged it. The member is
 * the event's subject (whose login failed, whose key was used); the action is the event type.
 * Details hold ids and reasons only, never a secret (see recordSecurityEvent).
 */
export async function auditSecurityEvent(trx: Tx, event: AuditedSecurityEvent): Promise<void> {
  await appendAudit(trx, {
    tenantId: event.tenantId,
    userId: event.userId,
    apiKeyId: event.apiKeyId,
    requestId: event.requestId,
    entity: SECURITY_EVENT_ENTITY,
    recordId: event.id,
    action: event.type,
    oldValues: null,
    newValues: { ip: event.ip, user_agent: event.userAgent, details: event.details },
  })
}
