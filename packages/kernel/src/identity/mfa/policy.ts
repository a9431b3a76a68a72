import { type Static, Type } from '@sinclair/typebox'
import { sql } from 'kysely'
import type { Tx } from '../../db/schema.ts'
import { enterTenant, withSystem, withTenant } from '../../db/tenant.ts'
import { Forbidden } from '../../errors/errors.ts'
import { parse } from '../../schemas/validate.ts'
import type { Actor } from '../authenticate.ts'
import type { IdentityContext } from '../context.ts'
import { type RequestMeta, recordSecurityEvent } from '../security-events.ts'

/** tenants.settings.mfa: who must use a second factor in the tenant (absent: optional). */
export type MfaPolicy = 'optional' | 'admins' | 'everyone'
const POLICIES: readonly MfaPolicy[] = ['optional', 'admins', 'everyone']

export const MfaPolicySchema = Type.Unsafe<MfaPolicy>({
  type: 'string',
  enum: [...POLICIES],
  description: 'optional (default), admins (owners and admins must use MFA) or everyone',
})

export const MfaPolicyInput = Type.Object({ policy: MfaPolicySchema }, { additionalProperties: false })
export type MfaPolicyInput = Static<typeof MfaPolicyInput>

export function mfaRequired(policy: MfaPolicy, isAdmin: boolean): boolean {
  return policy === 'everyone' || (policy === 'admins' && isAdmin)
}

function asPolicy(value: unknown): MfaPolicy {
  return POLICIES.includes(value as MfaPolicy) ? (value as MfaPolicy) : 'optional'
}

/** The policy of the tenant the transaction is scoped to. */
export async function readMfaPolicyIn(trx: Tx): Promise<MfaPolicy> {
  const row = await trx
    .selectFrom('tenants')
    .select(sql<string | null>`settings->>'mfa'`.as('mfa'))
    .executeTakeFirst()
  return asPolicy(row?.mfa)
}

export function getMfaPolicy(ctx: IdentityContext, tenantId: string): Promise<MfaPolicy> {
  return withTenant(ctx.db, tenantId, readMfaPolicyIn)
}

/**
 * Changes the tenant's policy. tenants is global, so the owner role writes it, and only the one row
 * named; the caller passes the actor's own tenant, never an id from the request.
 */
export async function setMfaPolicy(
  ctx: IdentityContext,
  tenantId: string,
  input: unknown,
  changedBy: string,
  meta: RequestMeta,
) {
  const { policy } = parse(MfaPolicyInput, input)
  await withSystem(ctx.db, async (trx) => {
    await trx
      .updateTable('tenants')
      .set({ settings: sql`settings || jsonb_build_object('mfa', ${policy}::text)` })
      .where('id', '=', tenantId)
      .execute()
    await enterTenant(trx, tenantId)
    await recordSecurityEvent(trx, tenantId, 'tenant.mfa_policy_changed', meta, {
      userId: changedBy,
      details: { policy },
    })
  })
  return { policy }
}

/**
 * Whether a signed-in member must enrol before doing anything else: the tenant requires MFA of them
 * and they have none. Read on every request, like roles, so a new policy applies at once. API keys
 * are not sessions and are not held back.
 */
export async function mfaEnrollmentPending(
  ctx: IdentityContext,
  actor: Pick<Actor, 'tenantId' | 'userId' | 'sessionId' | 'mfa'>,
  isAdmin: boolean,
): Promise<boolean> {
  if (actor.sessionId === null) return false
  // read with the session when the actor came from authentication (see Actor.mfa)
  const row =
    actor.mfa ??
    (await withTenant(ctx.db, actor.tenantId, async (trx) => {
      const found = await sql<{ policy: string | null; enrolled: boolean | null }>`
      select (select settings->>'mfa' from tenants) as policy,
             (select totp_enabled_at is not null from users where id = ${actor.userId}) as enrolled`.execute(
        trx,
      )
      return found.rows[0]
    }))
  return mfaRequired(asPolicy(row?.policy), isAdmin) && row?.enrolled !== true
}

/** Throws 403 mfa_enrollment_required while the member must enrol first (see mfaEnrollmentPending). */
export async function assertMfaEnrolledIfRequired(
  ctx: IdentityContext,
  actor: Pick<Actor, 'tenantId' | 'userId' | 'sessionId' | 'mfa'>,
  isAdmin: boolean,
): Promise<void> {
  if (await mfaEnrollmentPending(ctx, actor, isAdmin)) {
    throw new Forbidden(
      'This tenant requires multi-factor authentication: enrol an authenticator app first ' +
        '(POST /api/v1/auth/mfa/enrollment).',
      'mfa_enrollment_required',
    )
  }
}
