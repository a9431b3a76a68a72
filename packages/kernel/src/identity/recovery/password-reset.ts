import { type Static, Type } from '@sinclair/typebox'
import { sql } from 'kysely'
import { withSystem } from '../../db/tenant.ts'
import { parse } from '../../schemas/validate.ts'
import type { IdentityContext } from '../context.ts'
import { assertPasswordAcceptable, hashPassword } from '../passwords/index.ts'
import type { RequestMeta } from '../security-events.ts'
import { EmailSchema, normalizeEmail } from '../users.ts'
import type { RecoveryMail } from './messages.ts'
import { endSessionsEverywhere } from './sessions-everywhere.ts'
import {
  consumeUserToken,
  issueUserToken,
  peekUserToken,
  UserTokenSchema,
  voidUserTokens,
} from './user-tokens.ts'

export const PasswordResetRequestInput = Type.Object({ email: EmailSchema }, { additionalProperties: false })
export type PasswordResetRequestInput = Static<typeof PasswordResetRequestInput>

export const PasswordResetConfirmInput = Type.Object(
  { token: UserTokenSchema, password: Type.String({ maxLength: 1024 }) },
  { additionalProperties: false },
)
export type PasswordResetConfirmInput = Static<typeof PasswordResetConfirmInput>

/**
 * Step one of a reset: for a known address, a new single-use token (earlier ones stop working)
 * and what to mail; for an unknown one, the same queries and nothing to mail. The caller answers
 * both alike and sends the mail off the request path, so neither the answer nor its timing tells
 * whether the address has an account.
 */
export async function requestPasswordReset(
  ctx: IdentityContext,
  input: unknown,
): Promise<RecoveryMail | undefined> {
  const { email } = parse(PasswordResetRequestInput, input)
  return withSystem(ctx.db, async (trx) => {
    const user = await trx
      .selectFrom('users')
      .select(['id', 'email', 'name'])
      .where('email_normalized', '=', normalizeEmail(email))
      .executeTakeFirst()
    const token = await issueUserToken(trx, user?.id, 'password_reset')
    return user && token ? { to: user.email, name: user.name, token } : undefined
  })
}

/**
 * Step two: a new password for whoever holds the token. Sets the argon2id hash, spends the token
 * (and any other outstanding reset link), lifts a login lock, and ends every session in every
 * tenant. It signs nobody in: the next login goes through MFA as usual, so a mailbox alone never
 * stands in for a second factor.
 */
export async function confirmPasswordReset(
  ctx: IdentityContext,
  input: unknown,
  meta: RequestMeta,
): Promise<{ sessions_revoked: number }> {
  const { token, password } = parse(PasswordResetConfirmInput, input)
  // Checked before the token is spent, so a refused password leaves the link usable.
  const owner = await withSystem(ctx.db, (trx) => peekUserToken(trx, token, 'password_reset'))
  assertPasswordAcceptable(password, { email: owner.email, name: owner.name })
  const passwordHash = await hashPassword(password)
  return withSystem(ctx.db, async (trx) => {
    const userId = await consumeUserToken(trx, token, 'password_reset')
    const user = await trx
      .updateTable('users')
      .set({ password_hash: passwordHash, updated_at: sql`now()` })
      .where('id', '=', userId)
      .returning('email_normalized')
      .executeTakeFirstOrThrow()
    await voidUserTokens(trx, userId, 'password_reset')
    await trx.deleteFrom('login_throttle').where('email_normalized', '=', user.email_normalized).execute()
    const revoked = await endSessionsEverywhere(trx, userId, { type: 'password.reset', meta })
    return { sessions_revoked: revoked }
  })
}
