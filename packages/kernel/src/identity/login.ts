import { setTimeout as sleep } from 'node:timers/promises'
import { type Static, Type } from '@sinclair/typebox'
import { sql } from 'kysely'
import { withSystem, withTenant } from '../db/tenant.ts'
import { Forbidden, Unauthorized } from '../errors/errors.ts'
import { newId } from '../ids.ts'
import { parse } from '../schemas/validate.ts'
import type { IdentityContext } from './context.ts'
import { scopedToken } from './opaque-token.ts'
import { verifyAgainstDummy, verifyPassword } from './passwords/index.ts'
import { type RequestMeta, recordSecurityEvent } from './security-events.ts'
import { type IssuedSession, openSession } from './sessions.ts'
import { clearThrottle, delayFor, recordFailure, throttleState } from './throttle.ts'
import { EmailSchema, normalizeEmail } from './users.ts'

export const LoginInput = Type.Object(
  {
    email: EmailSchema,
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    tenant: Type.Optional(Type.String({ minLength: 1, maxLength: 63, description: 'tenant slug' })),
  },
  { additionalProperties: false },
)
export type LoginInput = Static<typeof LoginInput>

/** An MFA challenge lives 5 minutes and allows 5 code attempts. */
export const MFA_CHALLENGE_MINUTES = 5

export type LoginResult =
  | ({ status: 'ok'; user: LoginUser; tenant: LoginTenant } & IssuedSession)
  | { status: 'choose_tenant'; tenants: LoginTenant[] }
  | { status: 'mfa_required'; challenge_token: string; expires_in: number; tenant: LoginTenant }

interface LoginUser {
  id: string
  email: string
  name: string
}
interface LoginTenant {
  id: string
  slug: string
  name: string
}

const invalidCredentials = () =>
  new Unauthorized('The email or password is incorrect.', 'invalid_credentials')

/**
 * Password login. Unknown email, wrong password and locked address all give the same 401 after
 * the same work (a dummy argon2 verification stands in for a missing account) and the same delay.
 */
export async function login(ctx: IdentityContext, input: unknown, meta: RequestMeta): Promise<LoginResult> {
  const { email, password, tenant: slug } = parse(LoginInput, input)
  const emailKey = normalizeEmail(email)
  const throttle = await throttleState(ctx.db, emailKey)
  await sleep(delayFor(throttle.failures, ctx.loginDelayBaseMs))

  const user = await withSystem(ctx.db, (trx) =>
    trx
      .selectFrom('users')
      .select(['id', 'email', 'name', 'password_hash', 'totp_enabled_at'])
      .where('email_normalized', '=', emailKey)
      .executeTakeFirst(),
  )
  const passwordOk = user?.password_hash
    ? await verifyPassword(user.password_hash, password)
    : await verifyAgainstDummy(password)
  const tenants = user ? await tenantsOf(ctx, user.id) : []
  const named = slug === undefined ? undefined : tenants.find((t) => t.slug === slug)

  if (throttle.locked || !passwordOk || !user) {
    const lockedNow = throttle.locked ? false : await recordFailure(ctx.db, emailKey)
    if (user) {
      for (const t of named ? [named] : tenants) {
        await withTenant(ctx.db, t.id, async (trx) => {
          const reason = throttle.locked ? 'locked' : 'wrong_password'
          await recordSecurityEvent(trx, t.id, 'login.failed', meta, { userId: user.id, details: { reason } })
          if (lockedNow) await recordSecurityEvent(trx, t.id, 'login.locked', meta, { userId: user.id })
        })
      }
    }
    throw invalidCredentials()
  }
  await clearThrottle(ctx.db, emailKey)

  let tenant = named
  if (!tenant) {
    if (slug !== undefined || tenants.length === 0) throw invalidCredentials()
    if (tenants.length > 1) return { status: 'choose_tenant', tenants }
    tenant = tenants[0] as LoginTenant
  }
  const chosen = tenant
  const publicUser = { id: user.id, email: user.email, name: user.name }

  const result = await withTenant(ctx.db, chosen.id, async (trx) => {
    const membership = await trx
      .selectFrom('memberships')
      .select('status')
      .where('user_id', '=', user.id)
      .executeTakeFirst()
    if (membership?.status !== 'active') return { status: 'disabled' as const }
    if (user.totp_enabled_at) {
      const id = newId()
      const challenge = scopedToken(chosen.id, id)
      await trx
        .insertInto('mfa_challenges')
        .values({
          tenant_id: chosen.id,
          id,
          user_id: user.id,
          token_hash: challenge.hash,
          expires_at: sql<Date>`now() + make_interval(mins => ${MFA_CHALLENGE_MINUTES})`,
          user_agent: meta.userAgent?.slice(0, 512) ?? null,
          ip: meta.ip?.slice(0, 64) ?? null,
        })
        .execute()
      return {
        status: 'mfa_required' as const,
        challenge_token: challenge.token,
        expires_in: MFA_CHALLENGE_MINUTES * 60,
        tenant: chosen,
      }
    }
    const session = await openSession(ctx, trx, chosen.id, user.id, meta, 'password')
    await recordSecurityEvent(trx, chosen.id, 'login.succeeded', meta, {
      userId: user.id,
      details: { session_id: session.session_id, method: 'password' },
    })
    return { status: 'ok' as const, user: publicUser, tenant: chosen, ...session }
  })
  if (result.status !== 'disabled') return result
  // in a transaction of its own: recorded in the refusing one, the event would roll back with it
  await withTenant(ctx.db, chosen.id, (trx) =>
    recordSecurityEvent(trx, chosen.id, 'login.failed', meta, {
      userId: user.id,
      details: { reason: 'disabled' },
    }),
  )
  throw new Forbidden(
    'Your membership of this tenant is disabled; ask its administrator.',
    'membership_disabled',
  )
}

/** The active tenants a user belongs to, from the global directory (no tenant is set yet). */
export function tenantsOf(ctx: IdentityContext, userId: string): Promise<LoginTenant[]> {
  return withSystem(ctx.db, (trx) =>
    trx
      .selectFrom('user_tenants as ut')
      .innerJoin('tenants as t', 't.id', 'ut.tenant_id')
      .select(['t.id', 't.slug', 't.name'])
      .where('ut.user_id', '=', userId)
      .where('t.status', '=', 'active')
      .orderBy('t.name')
      .execute(),
  )
}
