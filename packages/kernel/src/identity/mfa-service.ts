import { sql } from 'kysely'
import { permissionsOfRoles } from '../access/actor-rights.ts'
import { describePermission, firstNotHeld } from '../access/grants.ts'
import type { Tx } from '../db/schema.ts'
import { enterTenant, withSystem, withTenant } from '../db/tenant.ts'
import { BusinessRule, Conflict, Forbidden, NotFound, TooManyRequests } from '../errors/errors.ts'
import { parse } from '../schemas/validate.ts'
import type { Actor } from './authenticate.ts'
import type { IdentityContext } from './context.ts'
import { newBackupCodes } from './mfa/backup-codes.ts'
import {
  asOwner,
  backupCodesLeft,
  type CodeCheck,
  checkTotpCode,
  clearFactor,
  type FactorState,
  lockFactorState,
  sealSeed,
} from './mfa/factor-state.ts'
import { DisableMfaInput, exactlyOne, TotpCodeInput } from './mfa/inputs.ts'
import { getMfaPolicy, mfaRequired } from './mfa/policy.ts'
import { newTotpSecret, totpQrCode, totpUri } from './mfa/totp.ts'
import { verifyPassword } from './passwords/index.ts'
import { type RequestMeta, recordSecurityEvent } from './security-events.ts'
import { clearThrottle, LOCK_MINUTES, recordFailure, throttleState } from './throttle.ts'

/**
 * The signed-in member's own second factor: enrol, confirm, new backup codes, turn off; and an
 * administrator's reset. The seed and backup codes live on the global users row (one person, one
 * authenticator, every tenant), written as the owner role; security events go to the tenant the
 * member acted in.
 */
type Member = Pick<Actor, 'tenantId' | 'userId'>

const alreadyEnabled = () =>
  new Conflict('MFA is already on; turn it off first to enrol another authenticator.', 'mfa_already_enabled')
const notEnabled = () => new BusinessRule('mfa_not_enabled', 'MFA is not turned on for this account.')

export async function mfaStatus(ctx: IdentityContext, member: Member, isAdmin: boolean) {
  const policy = await getMfaPolicy(ctx, member.tenantId)
  const state = await withSystem(ctx.db, (trx) => lockFactorState(trx, member.userId))
  if (!state) throw new NotFound()
  const enabled = state.totp_enabled_at !== null
  return {
    enabled,
    enabled_at: state.totp_enabled_at,
    enrollment_pending: !enabled && state.totp_secret !== null,
    backup_codes_remaining: enabled ? backupCodesLeft(state) : 0,
    policy,
    required: mfaRequired(policy, isAdmin),
  }
}

/**
 * Step one of enrolment: a new seed from the CSPRNG, sealed and stored but not yet in force (login
 * ignores it until confirmed). Starting again replaces a pending seed. The seed is shown this once.
 */
export function startTotpEnrollment(ctx: IdentityContext, member: Member) {
  return withSystem(ctx.db, async (trx) => {
    const state = await lockFactorState(trx, member.userId)
    if (!state) throw new NotFound()
    if (state.totp_enabled_at) throw alreadyEnabled()
    const secret = newTotpSecret()
    await trx
      .updateTable('users')
      .set({
        totp_secret: sealSeed(ctx.sealingKey, state.id, secret),
        totp_last_step: null,
        backup_codes: null,
        updated_at: sql`now()`,
      })
      .where('id', '=', state.id)
      .execute()
    const otpauth_uri = totpUri({ secret, label: state.email })
    return { secret, otpauth_uri, qr_code: await totpQrCode(otpauth_uri) }
  })
}

/** Step two: the first valid code turns MFA on and yields ten backup codes, shown this once. */
export function confirmTotpEnrollment(
  ctx: IdentityContext,
  member: Member,
  input: unknown,
  meta: RequestMeta,
) {
  const { code } = parse(TotpCodeInput, input)
  return withCurrentCode(ctx, member, code, meta, 'enroll', {
    check(state) {
      if (state.totp_enabled_at) throw alreadyEnabled()
      if (!state.totp_secret)
        throw new BusinessRule(
          'mfa_enrollment_not_started',
          'Start the enrolment first: POST /api/v1/auth/mfa/enrollment.',
        )
    },
    async apply(trx, state) {
      const backup = newBackupCodes()
      const row = await trx
        .updateTable('users')
        .set({ totp_enabled_at: sql`now()`, backup_codes: backup.hashes, updated_at: sql`now()` })
        .where('id', '=', state.id)
        .returning('totp_enabled_at')
        .executeTakeFirstOrThrow()
      await enterTenant(trx, member.tenantId)
      await recordSecurityEvent(trx, member.tenantId, 'mfa.enrolled', meta, {
        userId: state.id,
        details: { method: 'totp' },
      })
      return { enabled: true, enabled_at: row.totp_enabled_at, backup_codes: backup.codes }
    },
  })
}

/** Ten new backup codes in place of the old ones (all of which stop working), for a current code. */
export function regenerateBackupCodes(
  ctx: IdentityContext,
  member: Member,
  input: unknown,
  meta: RequestMeta,
) {
  const { code } = parse(TotpCodeInput, input)
  return withCurrentCode(ctx, member, code, meta, 'regenerate_backup_codes', {
    check(state) {
      if (!state.totp_enabled_at) throw notEnabled()
    },
    async apply(trx, state) {
      const backup = newBackupCodes()
      await trx
        .updateTable('users')
        .set({ backup_codes: backup.hashes, updated_at: sql`now()` })
        .where('id', '=', state.id)
        .execute()
      await enterTenant(trx, member.tenantId)
      await recordSecurityEvent(trx, member.tenantId, 'mfa.backup_codes_regenerated', meta, {
        userId: state.id,
      })
      return { backup_codes: backup.codes }
    },
  })
}

/** The member turns their own MFA off, proving presence with a current code or their password. */
export async function disableMfa(
  ctx: IdentityContext,
  member: Member,
  input: unknown,
  meta: RequestMeta,
): Promise<void> {
  const proof = exactlyOne(parse(DisableMfaInput, input), 'code', 'password')
  const remove = async (trx: Tx, state: FactorState) => {
    await clearFactor(trx, state.id)
    await enterTenant(trx, member.tenantId)
    await recordSecurityEvent(trx, member.tenantId, 'mfa.removed', meta, {
      userId: state.id,
      details: { by: state.id, proof: proof.field },
    })
  }
  const requireEnabled = (state: FactorState) => {
    if (!state.totp_enabled_at) throw notEnabled()
  }
  if (proof.field === 'code') {
    await withCurrentCode(ctx, member, proof.value, meta, 'disable', { check: requireEnabled, apply: remove })
    return
  }
  await confirmPassword(ctx, member, proof.value, meta)
  await withSystem(ctx.db, async (trx) => {
    const state = await lockFactorState(trx, member.userId)
    if (!state) throw new NotFound()
    requireEnabled(state)
    await remove(trx, state)
  })
}

/**
 * An administrator removes another member's MFA (lost phone, no backup codes left); the member
 * then enrols again, and must if the tenant's policy says so. Guard rails: not oneself (that goes
 * through disableMfa, with proof), never a member holding rights the administrator lacks (an admin
 * cannot weaken an owner's account), and never for someone who also
 * belongs to another tenant: the seed is theirs across tenants, and one tenant's administrator must
 * not weaken their access to the others.
 */
export async function resetMemberMfa(
  ctx: IdentityContext,
  admin: Pick<Actor, 'tenantId' | 'userId' | 'permissions'>,
  userId: string,
  meta: RequestMeta,
): Promise<void> {
  await withTenant(ctx.db, admin.tenantId, async (trx) => {
    const member = await trx
      .selectFrom('memberships')
      .select(['user_id', permissionsOfRoles('memberships.roles').as('permissions')])
      .where('user_id', '=', userId)
      .executeTakeFirst()
    if (!member) throw new NotFound('No such member.')
    if (member.user_id === admin.userId)
      throw new BusinessRule(
        'cannot_change_self',
        'Turn your own MFA off in your MFA settings, with a current code or your password.',
      )
    const above = firstNotHeld(member.permissions, admin.permissions)
    if (above !== undefined)
      throw new Forbidden(
        `This member holds ${describePermission(above)}, which you do not: you cannot reset their MFA.`,
        'member_outranks_you',
      )
    await asOwner(trx)
    const elsewhere = await trx
      .selectFrom('user_tenants')
      .select('tenant_id')
      .where('user_id', '=', userId)
      .where('tenant_id', '!=', admin.tenantId)
      .executeTakeFirst()
    if (elsewhere)
      throw new BusinessRule(
        'member_of_other_tenants',
        'This member also belongs to other tenants, which their MFA protects too: only they can turn it off.',
      )
    const state = await lockFactorState(trx, userId)
    if (!state?.totp_enabled_at) throw notEnabled()
    await clearFactor(trx, userId)
    await enterTenant(trx, admin.tenantId)
    await recordSecurityEvent(trx, admin.tenantId, 'mfa.removed', meta, {
      userId,
      details: { by: admin.userId, reason: 'admin_reset' },
    })
  })
}

type Refusal = Extract<CodeCheck, { ok: false }>

/**
 * Runs `apply` (as the owner role, the user's row locked) when `code` is a fresh, correct TOTP code
 * for the member; otherwise commits the failure (counted against the user's limit, recorded as
 * mfa.failed) and then refuses. `check` refuses before any code is looked at, writing nothing.
 */
async function withCurrentCode<T>(
  ctx: IdentityContext,
  member: Member,
  code: string,
  meta: RequestMeta,
  action: string,
  steps: { check(state: FactorState): void; apply(trx: Tx, state: FactorState): Promise<T> },
): Promise<T> {
  const outcome = await withSystem(
    ctx.db,
    async (trx): Promise<{ ok: true; value: T } | { ok: false; refusal: Refusal }> => {
      const state = await lockFactorState(trx, member.userId)
      if (!state) throw new NotFound()
      steps.check(state)
      const check = await checkTotpCode(trx, ctx.sealingKey, state, code)
      if (check.ok) return { ok: true, value: await steps.apply(trx, state) }
      if (check.reason !== 'throttled') {
        await enterTenant(trx, member.tenantId)
        await recordSecurityEvent(trx, member.tenantId, 'mfa.failed', meta, {
          userId: state.id,
          details: { reason: check.reason, method: 'totp', action },
        })
      }
      return { ok: false, refusal: check }
    },
  )
  if (outcome.ok) return outcome.value
  if (outcome.refusal.reason === 'throttled') {
    throw new TooManyRequests(
      outcome.refusal.retryAfterSeconds,
      'Too many wrong codes for this account; wait before trying again.',
      'mfa_code_throttled',
    )
  }
  throw new BusinessRule('mfa_code_invalid', 'The code is incorrect, expired or already used.')
}

/**
 * Checks the member's password for a sensitive change, under the same per-address throttle as
 * login, so a stolen session cannot be used to guess the password.
 */
async function confirmPassword(ctx: IdentityContext, member: Member, password: string, meta: RequestMeta) {
  const user = await withSystem(ctx.db, (trx) =>
    trx
      .selectFrom('users')
      .select(['email_normalized', 'password_hash'])
      .where('id', '=', member.userId)
      .executeTakeFirst(),
  )
  if (!user) throw new NotFound()
  const throttle = await throttleState(ctx.db, user.email_normalized)
  if (throttle.locked) throw new TooManyRequests(LOCK_MINUTES * 60, 'Too many wrong passwords; wait.')
  if (user.password_hash && (await verifyPassword(user.password_hash, password))) {
    await clearThrottle(ctx.db, user.email_normalized)
    return
  }
  await recordFailure(ctx.db, user.email_normalized)
  await withTenant(ctx.db, member.tenantId, (trx) =>
    recordSecurityEvent(trx, member.tenantId, 'mfa.failed', meta, {
      userId: member.userId,
      details: { reason: 'wrong_password', action: 'disable' },
    }),
  )
  throw new BusinessRule('password_incorrect', 'The password is incorrect.')
}
