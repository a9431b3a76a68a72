import { setTimeout as sleep } from 'node:timers/promises'
import { type Static, Type } from '@sinclair/typebox'
import { sql } from 'kysely'
import { withSystem } from '../../db/tenant.ts'
import { Forbidden, Invalid } from '../../errors/errors.ts'
import { parse } from '../../schemas/validate.ts'
import type { Actor } from '../authenticate.ts'
import type { IdentityContext } from '../context.ts'
import { checkPassword, hashPassword, verifyAgainstDummy, verifyPassword } from '../passwords/index.ts'
import type { RequestMeta } from '../security-events.ts'
import { clearThrottle, delayFor, recordFailure, throttleState } from '../throttle.ts'
import { endSessionsEverywhere } from './sessions-everywhere.ts'
import { voidUserTokens } from './user-tokens.ts'

export const PasswordChangeInput = Type.Object(
  {
    current_password: Type.String({ minLength: 1, maxLength: 1024 }),
    new_password: Type.String({ maxLength: 1024 }),
  },
  { additionalProperties: false },
)
export type PasswordChangeInput = Static<typeof PasswordChangeInput>

const wrongCurrent = () =>
  Invalid.field('current_password', 'current_password is not your current password.', 'incorrect')

/**
 * A signed-in member changes their own password. The current one is checked under the same
 * per-account throttle as login (a stolen session must not become a way to guess the password),
 * then the new one against the policy. The member's other sessions end, in every tenant; the one
 * making the change stays open.
 */
export async function changePassword(
  ctx: IdentityContext,
  actor: Actor,
  input: unknown,
  meta: RequestMeta,
): Promise<{ sessions_revoked: number }> {
  const { current_password, new_password } = parse(PasswordChangeInput, input)
  const sessionId = actor.sessionId
  if (!sessionId) {
    throw new Forbidden(
      'Change the password from a signed-in session, not with an API key.',
      'session_required',
    )
  }
  const user = await withSystem(ctx.db, (trx) =>
    trx
      .selectFrom('users')
      .select(['email', 'email_normalized', 'name', 'password_hash'])
      .where('id', '=', actor.userId)
      .executeTakeFirstOrThrow(),
  )
  const throttle = await throttleState(ctx.db, user.email_normalized)
  await sleep(delayFor(throttle.failures, ctx.loginDelayBaseMs))
  const currentOk = user.password_hash
    ? await verifyPassword(user.password_hash, current_password)
    : await verifyAgainstDummy(current_password)
  if (throttle.locked || !currentOk) {
    if (!throttle.locked) await recordFailure(ctx.db, user.email_normalized)
    throw wrongCurrent()
  }
  const { errors } = checkPassword(new_password, { email: user.email, name: user.name })
  if (errors.length > 0) {
    const named = errors.map((e) => ({ ...e, field: 'new_password', message: `new_${e.message}` }))
    throw new Invalid(`The new password is not acceptable: ${named.map((e) => e.message).join(' ')}`, named)
  }
  await clearThrottle(ctx.db, user.email_normalized)
  const passwordHash = await hashPassword(new_password)
  return withSystem(ctx.db, async (trx) => {
    await trx
      .updateTable('users')
      .set({ password_hash: passwordHash, updated_at: sql`now()` })
      .where('id', '=', actor.userId)
      .execute()
    // A reset link mailed before the change would undo it.
    await voidUserTokens(trx, actor.userId, 'password_reset')
    const revoked = await endSessionsEverywhere(trx, actor.userId, {
      type: 'password.changed',
      meta,
      keepSessionId: { tenantId: actor.tenantId, sessionId },
    })
    return { sessions_revoked: revoked }
  })
}
