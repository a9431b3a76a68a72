import { sql } from 'kysely'
import { enterTenant, withSystem } from '../../db/tenant.ts'
import type { IdentityContext } from '../context.ts'
import { type RequestMeta, recordSecurityEvent } from '../security-events.ts'
import { type IssuedSession, openSession } from '../sessions.ts'
import { insertMembership, insertUser, normalizeEmail } from '../users.ts'

export interface SsoIdentity {
  tenantId: string
  providerId: string
  defaultRole: string
  /** verified by the provider, in an allowed domain */
  email: string
  /** the provider's display name, possibly empty */
  name: string
  meta: RequestMeta
}

export type SsoSignIn =
  | {
      status: 'ok'
      user: { id: string; email: string; name: string }
      session: IssuedSession
      created: { user: boolean; membership: boolean }
    }
  | { status: 'disabled'; userId: string }
  | { status: 'account_exists'; userId: string }

/**
 * Finds or creates the global user (without a password: they sign in through the provider) and
 * their membership of the tenant with the provider's default role, then opens an 'sso' session.
 * One transaction: a failure leaves no user without a membership, nor a membership without a session.
 */
export function signInMember(ctx: IdentityContext, who: SsoIdentity): Promise<SsoSignIn> {
  return withSystem(ctx.db, async (trx) => {
    let user = await trx
      .selectFrom('users')
      .select(['id', 'email', 'name'])
      .where('email_normalized', '=', normalizeEmail(who.email))
      .executeTakeFirst()
    const newUser = !user
    if (!user) {
      user = await insertUser(trx, { email: who.email, name: displayName(who) })
      // the provider verified the address (email_verified), so this account starts verified
      await trx
        .updateTable('users')
        .set({ email_verified_at: sql<Date>`now()` })
        .where('id', '=', user.id)
        .execute()
    }
    const userId = user.id
    await enterTenant(trx, who.tenantId)
    const membership = await trx
      .selectFrom('memberships')
      .select('status')
      .where('user_id', '=', userId)
      .executeTakeFirst()
    if (membership?.status === 'disabled') return { status: 'disabled' as const, userId }
    // A tenant's administrator controls both its identity provider and its allowed domains, so a
    // provider's word is enough only for this tenant's own members and for brand-new accounts.
    // Linking an existing account of another tenant would let that administrator sign in as
    // someone who never joined: an administrator must add them first.
    if (!membership && !newUser) return { status: 'account_exists' as const, userId }
    if (!membership) await insertMembership(trx, who.tenantId, userId, [who.defaultRole])

    const session = await openSession(ctx, trx, who.tenantId, userId, who.meta, 'sso')
    await recordSecurityEvent(trx, who.tenantId, 'login.succeeded', who.meta, {
      userId,
      details: {
        session_id: session.session_id,
        method: 'sso',
        provider_id: who.providerId,
        created_user: newUser,
        created_membership: !membership,
      },
    })
    return {
      status: 'ok' as const,
      user: { id: user.id, email: user.email, name: user.name },
      session,
      created: { user: newUser, membership: !membership },
    }
  })
}

/** The provider's name for the person, or the mailbox part of the address when it gives none. */
function displayName(who: SsoIdentity): string {
  const name = who.name.trim().slice(0, 200)
  if (/\S/.test(name)) return name
  return who.email.slice(0, who.email.lastIndexOf('@')).slice(0, 200) || who.email.slice(0, 200)
}
