import { type Static, Type } from '@sinclair/typebox'
import { sql } from 'kysely'
import { withSystem } from '../../db/tenant.ts'
import { BusinessRule } from '../../errors/errors.ts'
import { parse } from '../../schemas/validate.ts'
import type { IdentityContext } from '../context.ts'
import type { RecoveryMail } from './messages.ts'
import { consumeUserToken, issueUserToken, UserTokenSchema } from './user-tokens.ts'

export const EmailVerificationInput = Type.Object({ token: UserTokenSchema }, { additionalProperties: false })
export type EmailVerificationInput = Static<typeof EmailVerificationInput>

/**
 * A verification link for the user's address, the newest replacing earlier ones. Undefined when
 * the hourly cap is reached; 422 `email_already_verified` when there is nothing to verify.
 */
export async function issueEmailVerification(
  ctx: IdentityContext,
  userId: string,
): Promise<RecoveryMail | undefined> {
  return withSystem(ctx.db, async (trx) => {
    const user = await trx
      .selectFrom('users')
      .select(['id', 'email', 'name', 'email_verified_at'])
      .where('id', '=', userId)
      .executeTakeFirstOrThrow()
    if (user.email_verified_at !== null) {
      throw new BusinessRule('email_already_verified', 'This email address is already verified.')
    }
    const token = await issueUserToken(trx, user.id, 'email_verification')
    return token ? { to: user.email, name: user.name, token } : undefined
  })
}

/** Marks the address verified; the token works once (400 `token_invalid` after that). */
export async function verifyEmail(ctx: IdentityContext, input: unknown): Promise<void> {
  const { token } = parse(EmailVerificationInput, input)
  await withSystem(ctx.db, async (trx) => {
    const userId = await consumeUserToken(trx, token, 'email_verification')
    await trx
      .updateTable('users')
      .set({ email_verified_at: sql`coalesce(email_verified_at, now())`, updated_at: sql`now()` })
      .where('id', '=', userId)
      .execute()
  })
}
