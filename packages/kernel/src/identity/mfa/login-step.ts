import { sql } from 'kysely'
import { enterTenant, withTenant } from '../../db/tenant.ts'
import { TooManyRequests, Unauthorized } from '../../errors/errors.ts'
import { parse } from '../../schemas/validate.ts'
import type { IdentityContext } from '../context.ts'
import { parseScopedToken } from '../opaque-token.ts'
import { type RequestMeta, recordSecurityEvent } from '../security-events.ts'
import { type IssuedSession, openSession } from '../sessions.ts'
import { asOwner, type CodeCheck, checkTotpCode, consumeBackupCode, lockFactorState } from './factor-state.ts'
import { exactlyOne, MfaLoginInput } from './inputs.ts'

/** Wrong codes a challenge survives: the fifth failure burns it and the member starts again. */
export const MFA_CHALLENGE_ATTEMPTS = 5

export interface MfaLoginResult extends IssuedSession {
  status: 'ok'
  user: { id: string; email: string; name: string }
  tenant: { id: string; slug: string; name: string }
}

const invalidChallenge = () =>
  new Unauthorized(
    'The sign-in challenge is invalid, expired or used up; sign in with your password again.',
    'mfa_challenge_invalid',
  )
const invalidCode = () => new Unauthorized('The code is incorrect.', 'mfa_code_invalid')

type Outcome =
  | { ok: true; result: MfaLoginResult }
  | { ok: false; error: 'challenge' | 'code' }
  | { ok: false; error: 'throttled'; retryAfterSeconds: number }

/**
 * The second login step: a challenge from the password step and a TOTP code or a backup code.
 * Challenge, code and session are handled in one transaction with the challenge and the user's row
 * locked, so one code opens at most one session however many requests carry it. Failures are
 * committed (attempt counted, mfa.failed recorded) before the 401 is sent.
 */
export async function completeMfaLogin(
  ctx: IdentityContext,
  input: unknown,
  meta: RequestMeta,
): Promise<MfaLoginResult> {
  const data = parse(MfaLoginInput, input)
  const factor = exactlyOne(data, 'code', 'backup_code')
  const parsed = parseScopedToken(data.challenge_token)
  if (!parsed) throw invalidChallenge()
  const tenantId = parsed.tenantId

  const outcome = await withTenant(ctx.db, tenantId, async (trx): Promise<Outcome> => {
    const challenge = await trx
      .selectFrom('mfa_challenges as c')
      .innerJoin('memberships as m', (join) =>
        join.onRef('m.tenant_id', '=', 'c.tenant_id').onRef('m.user_id', '=', 'c.user_id'),
      )
      .innerJoin('tenants as t', 't.id', 'c.tenant_id')
      .select([
        'c.id',
        'c.user_id',
        'c.attempts',
        't.slug',
        't.name',
        sql<boolean>`c.used_at is null and c.expires_at > now() and c.attempts < ${MFA_CHALLENGE_ATTEMPTS}
          and m.status = 'active' and t.status = 'active'`.as('usable'),
      ])
      .where('c.id', '=', parsed.recordId)
      .where('c.token_hash', '=', parsed.hash)
      .forUpdate('c')
      .executeTakeFirst()
    if (!challenge?.usable) return { ok: false, error: 'challenge' }

    await asOwner(trx)
    const state = await lockFactorState(trx, challenge.user_id)
    if (!state?.totp_enabled_at) return { ok: false, error: 'challenge' }
    const check: CodeCheck =
      factor.field === 'code'
        ? await checkTotpCode(trx, ctx.sealingKey, state, factor.value)
        : (await consumeBackupCode(trx, state, factor.value))
          ? { ok: true }
          : { ok: false, reason: 'wrong' }
    await enterTenant(trx, tenantId)
    const method = factor.field === 'code' ? 'totp' : 'backup_code'

    if (!check.ok) {
      // Refused unchecked while the user's code limit holds: no attempt is spent, nothing is learnt.
      if (check.reason === 'throttled')
        return { ok: false, error: 'throttled', retryAfterSeconds: check.retryAfterSeconds }
      const attempts = challenge.attempts + 1
      await trx.updateTable('mfa_challenges').set({ attempts }).where('id', '=', challenge.id).execute()
      await recordSecurityEvent(trx, tenantId, 'mfa.failed', meta, {
        userId: state.id,
        details: {
          reason: check.reason,
          method,
          challenge_id: challenge.id,
          attempts,
          ...(attempts >= MFA_CHALLENGE_ATTEMPTS ? { challenge_burned: true } : {}),
        },
      })
      return { ok: false, error: 'code' }
    }

    await trx
      .updateTable('mfa_challenges')
      .set({ used_at: sql`now()` })
      .where('id', '=', challenge.id)
      .execute()
    const session = await openSession(ctx, trx, tenantId, state.id, meta, 'password')
    await recordSecurityEvent(trx, tenantId, 'login.succeeded', meta, {
      userId: state.id,
      details: { session_id: session.session_id, method: `password+${method}` },
    })
    return {
      ok: true,
      result: {
        status: 'ok',
        user: { id: state.id, email: state.email, name: state.name },
        tenant: { id: tenantId, slug: challenge.slug, name: challenge.name },
        ...session,
      },
    }
  })

  if (outcome.ok) return outcome.result
  if (outcome.error === 'throttled') {
    throw new TooManyRequests(
      outcome.retryAfterSeconds,
      'Too many wrong codes for this account; wait, or use a backup code.',
      'mfa_code_throttled',
    )
  }
  throw outcome.error === 'code' ? invalidCode() : invalidChallenge()
}
