import { auditSecurityEvent } from '../audit/security.ts'
import type { Tx } from '../db/schema.ts'
import { newId } from '../ids.ts'

/** Where a request came from, as recorded with security events and sessions. */
export interface RequestMeta {
  ip: string | null
  userAgent: string | null
  /** the HTTP request's id (X-Request-Id), kept on the event's audit row; absent outside a request */
  requestId?: string | null
}

export type SecurityEventType =
  | 'login.succeeded'
  | 'login.failed'
  | 'login.locked'
  | 'account.unlocked'
  | 'session.revoked'
  | 'session.reuse_detected'
  | 'mfa.enrolled'
  | 'mfa.removed'
  | 'mfa.failed'
  | 'mfa.backup_codes_regenerated'
  | 'tenant.mfa_policy_changed'
  | 'password.changed'
  | 'password.reset'
  | 'api_key.created'
  | 'api_key.revoked'
  | 'api_key.used'
  | 'member.disabled'
  | 'member.enabled'
  | 'member.access_changed'
  | 'member.invited'
  | 'role.created'
  | 'role.changed'
  | 'role.deleted'
  | 'record_rule.created'
  | 'record_rule.updated'
  | 'record_rule.deleted'
  | 'field_rule.created'
  | 'field_rule.updated'
  | 'field_rule.deleted'
  | 'module.activated'
  | 'module.deactivated'
  | 'signup'

/**
 * Records a security event in the tenant the transaction is scoped to. Details must never hold
 * a password, token or key: callers pass ids and reasons only.
 */
export async function recordSecurityEvent(
  trx: Tx,
  tenantId: string,
  type: SecurityEventType,
  meta: RequestMeta,
  subject: { userId?: string | null; apiKeyId?: string | null; details?: Record<string, unknown> } = {},
): Promise<void> {
  const event = {
    tenantId,
    id: newId(),
    type,
    userId: subject.userId ?? null,
    apiKeyId: subject.apiKeyId ?? null,
    ip: meta.ip?.slice(0, 64) ?? null,
    userAgent: meta.userAgent?.slice(0, 512) ?? null,
    details: subject.details ?? {},
    requestId: meta.requestId?.slice(0, 200) || null,
  }
  await trx
    .insertInto('security_events')
    .values({
      tenant_id: tenantId,
      id: event.id,
      type,
      user_id: event.userId,
      api_key_id: event.apiKeyId,
      ip: event.ip,
      user_agent: event.userAgent,
      details: JSON.stringify(event.details),
    })
    .execute()
  // every security event is in the audit trail too, committed with it
  await auditSecurityEvent(trx, event)
}
