import { sql } from 'kysely'
import { OWNER_ROLE } from '../../db/roles.ts'
import type { Tx } from '../../db/schema.ts'
import { openSecret, sealSecret } from '../../secrets/seal.ts'
import { matchBackupCode } from './backup-codes.ts'
import { verifyTotp } from './totp.ts'

/**
 * Wrong TOTP codes allowed per user in a window, across every challenge, tenant and route. A login
 * challenge allows 5 attempts, but whoever holds the password can ask for more challenges; this is
 * the limit such an attacker meets: 10 guesses an hour at 3 valid codes in a million is about one
 * lucky guess in four years of non-stop trying, every guess leaving an mfa.failed security event.
 * Backup codes are not counted (60 random bits cannot be guessed), so a member whose TOTP is locked
 * by someone else's guesses can still sign in with one.
 */
export const MAX_TOTP_FAILURES = 10
export const TOTP_FAILURE_WINDOW_MINUTES = 60

/** A user's second factor, read and locked (FOR UPDATE) as the owner role. */
export interface FactorState {
  id: string
  email: string
  name: string
  password_hash: string | null
  totp_secret: string | null
  totp_enabled_at: Date | null
  last_step: number | null
  backup_codes: (string | null)[]
  /** too many wrong TOTP codes lately: refuse codes without checking them */
  throttled: boolean
  retry_after: number
}

export type CodeCheck =
  | { ok: true }
  | { ok: false; reason: 'malformed' | 'wrong' | 'replayed' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number }

/**
 * Switches a tenant transaction to the owner role, for the global users row that belongs with a
 * tenant write (challenge, session, security event) in one atomic transaction. The caller returns
 * to the tenant with enterTenant; forced row-level security still filters tenant tables meanwhile.
 */
export async function asOwner(trx: Tx): Promise<void> {
  await sql`select set_config('role', ${OWNER_ROLE}, true)`.execute(trx)
}

/** The associated data binding a sealed seed to its user: a seed copied to another row fails to open. */
const seedBinding = (userId: string) => `totp:${userId}`

export function sealSeed(key: Uint8Array, userId: string, secret: string): string {
  return sealSecret(key, secret, seedBinding(userId))
}

export function openSeed(key: Uint8Array, userId: string, sealed: string): string {
  return openSecret(key, sealed, seedBinding(userId))
}

/**
 * Reads the user's second factor and locks the row until the transaction ends, so two requests
 * with the same code (or backup code) are serialised and the second sees the first one's step.
 * Needs the owner role (withSystem or asOwner).
 */
export async function lockFactorState(trx: Tx, userId: string): Promise<FactorState | undefined> {
  const row = await trx
    .selectFrom('users')
    .select([
      'id',
      'email',
      'name',
      'password_hash',
      'totp_secret',
      'totp_enabled_at',
      'totp_last_step',
      'backup_codes',
      sql<boolean>`totp_failures >= ${MAX_TOTP_FAILURES}
        and totp_failures_since > now() - make_interval(mins => ${TOTP_FAILURE_WINDOW_MINUTES})`.as(
        'throttled',
      ),
      sql<number>`coalesce(ceil(extract(epoch from totp_failures_since
        + make_interval(mins => ${TOTP_FAILURE_WINDOW_MINUTES}) - now())), 0)::int`.as('retry_after'),
    ])
    .where('id', '=', userId)
    .forUpdate()
    .executeTakeFirst()
  if (!row) return undefined
  const { totp_last_step, backup_codes, ...rest } = row
  return {
    ...rest,
    last_step: totp_last_step === null ? null : Number(totp_last_step),
    backup_codes: backup_codes ?? [],
    retry_after: Math.max(1, row.retry_after),
  }
}

/**
 * Checks a TOTP code against the user's seed. A good code moves `totp_last_step` forward with a
 * conditional UPDATE (never backwards, never to the same step), so a code works once even if the
 * row lock were missing. A wrong, replayed or malformed code counts towards the user's limit.
 * Needs the owner role and a row from lockFactorState.
 */
export async function checkTotpCode(
  trx: Tx,
  key: Uint8Array,
  state: FactorState,
  code: string,
): Promise<CodeCheck> {
  if (!state.totp_secret) return { ok: false, reason: 'wrong' }
  if (state.throttled) return { ok: false, reason: 'throttled', retryAfterSeconds: state.retry_after }
  const result = verifyTotp({
    secret: openSeed(key, state.id, state.totp_secret),
    code,
    lastUsedStep: state.last_step,
  })
  if (result.ok) {
    const moved = await trx
      .updateTable('users')
      .set({ totp_last_step: result.step, totp_failures: 0, totp_failures_since: null })
      .where('id', '=', state.id)
      .where((eb) =>
        eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', String(result.step))]),
      )
      .executeTakeFirst()
    if (Number(moved.numUpdatedRows) === 1) return { ok: true }
  }
  await countTotpFailure(trx, state.id)
  return result.ok ? { ok: false, reason: 'replayed' } : result
}

async function countTotpFailure(trx: Tx, userId: string): Promise<void> {
  const inWindow = sql<boolean>`totp_failures_since > now() - make_interval(mins => ${TOTP_FAILURE_WINDOW_MINUTES})`
  await trx
    .updateTable('users')
    .set({
      totp_failures: sql`case when ${inWindow} then totp_failures + 1 else 1 end`,
      totp_failures_since: sql`case when ${inWindow} then totp_failures_since else now() end`,
    })
    .where('id', '=', userId)
    .execute()
}

/**
 * Uses up one backup code: its hash becomes null, with a conditional UPDATE so a code works once.
 * Needs the owner role and a row from lockFactorState.
 */
export async function consumeBackupCode(trx: Tx, state: FactorState, input: string): Promise<boolean> {
  const index = matchBackupCode(input, state.backup_codes)
  const hash = state.backup_codes[index]
  if (index < 0 || !hash) return false
  const used = await trx
    .updateTable('users')
    .set({ backup_codes: sql`array_replace(backup_codes, ${hash}, null)` })
    .where('id', '=', state.id)
    .where(sql<boolean>`${hash} = any(backup_codes)`)
    .executeTakeFirst()
  return Number(used.numUpdatedRows) === 1
}

/** How many backup codes the member has left. */
export function backupCodesLeft(state: Pick<FactorState, 'backup_codes'>): number {
  return state.backup_codes.filter((hash) => hash !== null).length
}

/** Removes the second factor entirely (seed, steps, backup codes, failure count). Owner role. */
export async function clearFactor(trx: Tx, userId: string): Promise<void> {
  await trx
    .updateTable('users')
    .set({
      totp_secret: null,
      totp_enabled_at: null,
      totp_last_step: null,
      backup_codes: null,
      totp_failures: 0,
      totp_failures_since: null,
      updated_at: sql`now()`,
    })
    .where('id', '=', userId)
    .execute()
}
