import { sql } from 'kysely'
import type { Db } from '../db/schema.ts'
import { withSystem } from '../db/tenant.ts'

/**
 * Login throttling per email address, applied identically to unknown addresses so an attacker
 * learns nothing from delays or locks. Past FREE_FAILURES failures within the hour, each attempt
 * waits longer (doubling, capped); at LOCK_AFTER failures the address is locked for LOCK_MINUTES.
 * The lock expires on its own, so nobody can lock an account out for good, and an admin unlock
 * or a password reset clears it.
 */
export const FREE_FAILURES = 5
export const LOCK_AFTER = 10
export const LOCK_MINUTES = 15
const WINDOW_MINUTES = 60
const MAX_DELAY_MS = 4000

export interface ThrottleState {
  failures: number
  locked: boolean
}

export async function throttleState(db: Db, emailNormalized: string): Promise<ThrottleState> {
  const row = await withSystem(db, (trx) =>
    trx
      .selectFrom('login_throttle')
      .select([
        'failures',
        sql<boolean>`first_failed_at > now() - make_interval(mins => ${WINDOW_MINUTES})`.as('in_window'),
        sql<boolean>`coalesce(locked_until > now(), false)`.as('locked'),
      ])
      .where('email_normalized', '=', emailNormalized)
      .executeTakeFirst(),
  )
  if (!row) return { failures: 0, locked: false }
  return { failures: row.in_window ? row.failures : 0, locked: row.locked }
}

/** How long to hold the answer to an attempt made after `failures` earlier failures. */
export function delayFor(failures: number, baseMs: number): number {
  if (failures < FREE_FAILURES || baseMs <= 0) return 0
  return Math.min(baseMs * 2 ** (failures - FREE_FAILURES), MAX_DELAY_MS)
}

/** Counts a failure; returns true when this failure locked the address. */
export async function recordFailure(db: Db, emailNormalized: string): Promise<boolean> {
  return withSystem(db, async (trx) => {
    const row = await sql<{ failures: number; locked_now: boolean }>`
      insert into login_throttle as t (email_normalized, failures, first_failed_at)
      values (${emailNormalized}, 1, now())
      on conflict (email_normalized) do update set
        failures = case when t.first_failed_at > now() - make_interval(mins => ${WINDOW_MINUTES})
                        then t.failures + 1 else 1 end,
        first_failed_at = case when t.first_failed_at > now() - make_interval(mins => ${WINDOW_MINUTES})
                               then t.first_failed_at else now() end
      returning failures, false as locked_now`.execute(trx)
    const failures = row.rows[0]?.failures ?? 0
    if (failures < LOCK_AFTER) return false
    await trx
      .updateTable('login_throttle')
      .set({
        locked_until: sql`now() + make_interval(mins => ${LOCK_MINUTES})`,
        failures: 0,
        first_failed_at: sql`now()`,
      })
      .where('email_normalized', '=', emailNormalized)
      .execute()
    return true
  })
}

/** Clears failures and any lock: after a successful login, an admin unlock or a password reset. */
export async function clearThrottle(db: Db, emailNormalized: string): Promise<void> {
  await withSystem(db, (trx) =>
    trx.deleteFrom('login_throttle').where('email_normalized', '=', emailNormalized).execute(),
  )
}
