import { sql } from 'kysely'
import type { Tx } from '../../db/schema.ts'
import { enterTenant } from '../../db/tenant.ts'
import { type RequestMeta, recordSecurityEvent } from '../security-events.ts'
import { revokeUserSessionsIn } from '../sessions.ts'

export interface PasswordEvent {
  type: 'password.reset' | 'password.changed'
  meta: RequestMeta
  /** the session the change was made from, which stays open; none after a reset */
  keepSessionId?: { tenantId: string; sessionId: string }
}

/**
 * After a new password: in every tenant of the user, ends their sessions (but the one kept),
 * voids pending MFA challenges (each was earned with the old password) and records the event.
 * Runs last in the caller's owner-role transaction, because it switches it to the application
 * role tenant by tenant; so the password, the spent token and every revocation commit together.
 * Every tenant, suspended ones included: a session must not outlive the password it came from.
 */
export async function endSessionsEverywhere(trx: Tx, userId: string, event: PasswordEvent): Promise<number> {
  const tenants = await trx
    .selectFrom('user_tenants')
    .select('tenant_id')
    .where('user_id', '=', userId)
    .orderBy('tenant_id')
    .execute()
  const reason = event.type === 'password.reset' ? 'password_reset' : 'password_changed'
  let revoked = 0
  for (const { tenant_id: tenantId } of tenants) {
    await enterTenant(trx, tenantId)
    const keep = event.keepSessionId?.tenantId === tenantId ? event.keepSessionId.sessionId : undefined
    const count = await revokeUserSessionsIn(trx, userId, reason, keep)
    await trx
      .updateTable('mfa_challenges')
      .set({ used_at: sql`now()` })
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .execute()
    await recordSecurityEvent(trx, tenantId, event.type, event.meta, {
      userId,
      details: { sessions_revoked: count },
    })
    revoked += count
  }
  return revoked
}
