import { sql } from 'kysely'
import type { Tx } from '../db/schema.ts'
import { BusinessRule, Conflict } from '../errors/errors.ts'
import { checkIdempotencyKey } from './key.ts'
import { idempotencyTx } from './tables.ts'

export interface IdempotentRequest {
  /** who sends it: `user:<id>` or `api_key:<id>`; keys of different callers never meet */
  caller: string
  /** the Idempotency-Key header (checkIdempotencyKey) */
  key: string
  /** requestHash(method, path, body) */
  requestHash: string
}

export interface IdempotentResponse {
  statusCode: number
  body: unknown
}

export interface IdempotentOutcome extends IdempotentResponse {
  /** true when this is the stored response of an earlier attempt and `run` did not run */
  replayed: boolean
}

const HASH = /^[0-9a-f]{64}$/

/**
 * Runs a write at most once per (tenant, caller, key), inside the caller's withTenant transaction:
 * - another transaction is running the same key right now: 409 `idempotency_in_progress`;
 * - the key was used for this very request: its stored response, `replayed`, and `run` is not called;
 * - the key was used for another request (other method, path or body): 422 `idempotency_key_reused`;
 * - otherwise `run()` does the write and its response is stored in the same transaction, so the
 *   key exists exactly when the write committed.
 * A response of 500 or more is returned but not stored. An error thrown by `run()` rolls back the
 * whole transaction, key included, so a retry of a refused or failed request runs again.
 */
export async function runIdempotent(
  trx: Tx,
  request: IdempotentRequest,
  run: () => Promise<IdempotentResponse>,
): Promise<IdempotentOutcome> {
  const key = checkIdempotencyKey(request.key)
  if (request.caller.length === 0 || request.caller.length > 100)
    throw new Error('runIdempotent needs a caller.')
  if (!HASH.test(request.requestHash)) throw new Error('runIdempotent needs a sha256 hex request hash.')

  // Held until the transaction ends. A try-lock, not a wait: a client that retries while its first
  // attempt is still running learns so at once (409) instead of queueing behind it. The lock key
  // is a 64-bit hash; a collision between two different keys only costs a spurious 409. Once the
  // first attempt has committed, the lock is free and the lookup below (a fresh snapshot under
  // READ COMMITTED) sees its row.
  const lockKey = sql`concat_ws(chr(10), 'idempotency', current_setting('app.tenant_id', true),
                                ${request.caller}::text, ${key}::text)`
  const { rows } = await sql<{ tenant: string | null; acquired: boolean | null }>`
    select nullif(current_setting('app.tenant_id', true), '') as tenant,
           pg_try_advisory_xact_lock(hashtextextended(${lockKey}, 0)) as acquired`.execute(trx)
  const tenantId = rows[0]?.tenant
  if (!tenantId) throw new Error('runIdempotent must run inside withTenant.')
  if (!rows[0]?.acquired) {
    const message =
      'A request with this Idempotency-Key is still being processed; retry when it has finished.'
    throw new Conflict(message, 'idempotency_in_progress', [
      { field: 'Idempotency-Key', code: 'in_progress', message },
    ])
  }

  const db = idempotencyTx(trx)
  const stored = await db
    .selectFrom('idempotency_keys')
    .select(['request_hash', 'status_code', 'response'])
    .where('caller', '=', request.caller)
    .where('key', '=', key)
    .executeTakeFirst()
  if (stored) {
    if (stored.request_hash !== request.requestHash) {
      throw new BusinessRule(
        'idempotency_key_reused',
        'This Idempotency-Key was already used for a different request; use a new key for a new request.',
      )
    }
    return { statusCode: stored.status_code, body: stored.response, replayed: true }
  }

  const response = await run()
  if (response.statusCode < 500) {
    await db
      .insertInto('idempotency_keys')
      .values({
        tenant_id: tenantId,
        caller: request.caller,
        key,
        request_hash: request.requestHash,
        status_code: response.statusCode,
        response: JSON.stringify(response.body ?? null),
      })
      .execute()
  }
  return { ...response, replayed: false }
}
