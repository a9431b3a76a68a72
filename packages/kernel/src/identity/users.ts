import { Type } from '@sinclair/typebox'
import { allowAllCompanies } from '../access/companies.ts'
import type { Tx } from '../db/schema.ts'
import { Conflict } from '../errors/errors.ts'
import { newId } from '../ids.ts'
import { hashPassword } from './passwords/index.ts'

export const EmailSchema = Type.String({ format: 'email', maxLength: 254 })
export const PersonNameSchema = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' })
export const LocaleSchema = Type.String({ pattern: '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$', maxLength: 35 })
export const TimeZoneSchema = Type.String({ format: 'time-zone' })

/** One spelling per mailbox: addresses compare case-insensitively. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase()
}

export interface NewUser {
  email: string
  name: string
  password?: string
  locale?: string
  timezone?: string
}

/** Inserts a global user. Must run as the owner role (withSystem): the app role cannot write users. */
export async function insertUser(trx: Tx, user: NewUser) {
  const email = user.email.trim()
  const taken = await trx
    .selectFrom('users')
    .select('id')
    .where('email_normalized', '=', normalizeEmail(email))
    .executeTakeFirst()
  if (taken) {
    const message = 'An account with this email already exists; sign in and join the tenant instead.'
    throw new Conflict(message, 'email_taken', [{ field: 'email', code: 'taken', message }])
  }
  return trx
    .insertInto('users')
    .values({
      id: newId(),
      email,
      email_normalized: normalizeEmail(email),
      name: user.name.trim(),
      password_hash: user.password === undefined ? null : await hashPassword(user.password),
      ...(user.locale ? { locale: user.locale } : {}),
      ...(user.timezone ? { timezone: user.timezone } : {}),
    })
    .returning(['id', 'email', 'name', 'locale', 'timezone', 'created_at'])
    .executeTakeFirstOrThrow()
}

/**
 * Adds a user to the tenant the transaction is scoped to, allowed in every company of the tenant
 * (an administrator narrows that afterwards).
 */
export async function insertMembership(
  trx: Tx,
  tenantId: string,
  userId: string,
  roles: string[],
  actorId: string | null = null,
) {
  const membership = await trx
    .insertInto('memberships')
    .values({
      tenant_id: tenantId,
      id: newId(),
      user_id: userId,
      roles,
      created_by: actorId,
      updated_by: actorId,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  const { current } = await allowAllCompanies(trx, tenantId, membership.id, actorId)
  return { ...membership, current_company_id: current }
}
