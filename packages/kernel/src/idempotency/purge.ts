import { sql } from 'kysely'
import type { Db } from '../db/schema.ts'
import { withSystem, withTenant } from '../db/tenant.ts'
import { idempotencyTx } from './tables.ts'

/** Keys are kept at least this long: a client may retry a request for a day. */
export const IDEMPOTENCY_RETENTION_HOURS = 24

/**
 * Deletes stored idempotency keys older than `olderThanHours` (never fewer than 24) in every
 * tenant, and returns how many went. The owner role is subject to forced row-level security like
 * everyone else, so the tenants are listed as the owner and each is purged in its own short
 * transaction inside that tenant. A jobs issue schedules it.
 */
export async function purgeIdempotencyKeys(
  db: Db,
  olderThanHours = IDEMPOTENCY_RETENTION_HOURS,
): Promise<number> {
  if (!Number.isInteger(olderThanHours) || olderThanHours < IDEMPOTENCY_RETENTION_HOURS) {
    throw new RangeError(`Idempotency keys are kept at least ${IDEMPOTENCY_RETENTION_HOURS} whole hours.`)
  }
  const tenants = await withSystem(db, (trx) => trx.selectFrom('tenants').select('id').execute())
  let deleted = 0
  for (const { id } of tenants) {
    const result = await withTenant(db, id, (trx) =>
      idempotencyTx(trx)
        .deleteFrom('idempotency_keys')
        .where('created_at', '<', sql<Date>`now() - make_interval(hours => ${olderThanHours}::int)`)
        .executeTakeFirst(),
    )
    deleted += Number(result.numDeletedRows)
  }
  return deleted
}
