import { Type } from '@sinclair/typebox'
import { sql } from 'kysely'
import type { Tx } from '../../db/schema.ts'
import { Invalid } from '../../errors/errors.ts'
import { newId } from '../../ids.ts'
import { hashSecret, newSecret } from '../opaque-token.ts'
import type { UserTokensTable } from '../tables.ts'

export type UserTokenPurpose = UserTokensTable['purpose']

/** Reset and verification links work once, for 30 minutes. */
export const USER_TOKEN_MINUTES = 30
/** At most this many links of one purpose per account per hour, so nobody can flood a mailbox. */
export const USER_TOKENS_PER_HOUR = 5

/**
 * No pattern here on purpose: a token of the wrong shape must get the same `token_invalid` answer
 * as an expired, used or tampered one, not a schema error that tells them apart.
 */
export const UserTokenSchema = Type.String({ minLength: 1, maxLength: 200 })

/** 256 bits from the CSPRNG, base64url: anything else cannot be one of ours. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/
/** Stands in for a missing account, so an unknown address runs the same queries as a real one. */
const NO_USER = '00000000-0000-0000-0000-000000000000'

const TOKEN_INVALID_MESSAGE = 'This link is invalid, has expired or was already used; ask for a new one.'

/** One answer, 400 `token_invalid`, for every token that cannot be used: unknown, malformed, expired or used. */
export function tokenInvalid(): Invalid {
  return new Invalid(
    TOKEN_INVALID_MESSAGE,
    [{ field: 'token', code: 'token_invalid', message: TOKEN_INVALID_MESSAGE }],
    'token_invalid',
  )
}

/** The stored form of a presented token, or undefined when it cannot be one. */
export function tokenHash(token: string): string | undefined {
  return TOKEN_SHAPE.test(token) ? hashSecret(token) : undefined
}

/**
 * Issues a single-use token for `userId` (owner role, inside the caller's transaction), voiding
 * the user's earlier unused tokens of the same purpose so only the newest link works. Returns the
 * plain token to mail, or undefined when there is no user or the hourly cap is reached. With no
 * user the same queries still run (on an id no row has), so the answer takes about as long.
 */
export async function issueUserToken(
  trx: Tx,
  userId: string | undefined,
  purpose: UserTokenPurpose,
): Promise<string | undefined> {
  const token = newSecret()
  const hash = hashSecret(token)
  const recent = await trx
    .selectFrom('user_tokens')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('user_id', '=', userId ?? NO_USER)
    .where('purpose', '=', purpose)
    .where('created_at', '>', sql<Date>`now() - interval '1 hour'`)
    .executeTakeFirstOrThrow()
  if (Number(recent.n) >= USER_TOKENS_PER_HOUR) return undefined
  await voidUserTokens(trx, userId ?? NO_USER, purpose)
  if (userId === undefined) return undefined
  await trx
    .insertInto('user_tokens')
    .values({
      id: newId(),
      user_id: userId,
      purpose,
      token_hash: hash,
      expires_at: sql<Date>`now() + make_interval(mins => ${USER_TOKEN_MINUTES})`,
    })
    .execute()
  return token
}

/** Marks every unused token of this purpose used: after a newer one is issued, or the password changed. */
export async function voidUserTokens(trx: Tx, userId: string, purpose: UserTokenPurpose): Promise<void> {
  await trx
    .updateTable('user_tokens')
    .set({ used_at: sql`now()` })
    .where('user_id', '=', userId)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .execute()
}

/** The account a usable token belongs to, without using it up (to check a new password first). */
export async function peekUserToken(trx: Tx, token: string, purpose: UserTokenPurpose) {
  const hash = tokenHash(token)
  if (!hash) throw tokenInvalid()
  const found = await trx
    .selectFrom('user_tokens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .select(['u.id', 'u.email', 'u.name'])
    .where('t.token_hash', '=', hash)
    .where('t.purpose', '=', purpose)
    .where('t.used_at', 'is', null)
    .where('t.expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst()
  if (!found) throw tokenInvalid()
  return found
}

/**
 * Uses a token up and returns its user. One UPDATE both checks and spends it, so two requests
 * racing with the same token cannot both succeed: the second finds it used.
 */
export async function consumeUserToken(trx: Tx, token: string, purpose: UserTokenPurpose): Promise<string> {
  const hash = tokenHash(token)
  if (!hash) throw tokenInvalid()
  const spent = await trx
    .updateTable('user_tokens')
    .set({ used_at: sql`now()` })
    .where('token_hash', '=', hash)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .returning('user_id')
    .executeTakeFirst()
  if (!spent) throw tokenInvalid()
  return spent.user_id
}
