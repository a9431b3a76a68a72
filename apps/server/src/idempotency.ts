import {
  type Actor,
  checkIdempotencyKey,
  type IdempotentOutcome,
  type IdempotentResponse,
  requestHash,
  runIdempotent,
  type Tx,
} from '@tessera/kernel'
import type { FastifyReply, FastifyRequest } from 'fastify'

/**
 * `Idempotency-Key` on POST (DESIGN.md, HTTP API). A route that creates something writes inside
 * its withTenant transaction through `idempotently`, and answers with `replyIdempotent`:
 *
 *   const outcome = await withTenant(db, actor.tenantId, (trx) =>
 *     idempotently(trx, request, actor, async () => ({ statusCode: 201, body: await createThing(trx, input) })),
 *   )
 *   return replyIdempotent(reply, outcome)
 *
 * With a key, runIdempotent stores the response in the write's own transaction, so a retry (even
 * after a crash between commit and response) gets it back with `Idempotent-Replayed: true`; the
 * same key with another body is 422, and a retry while the first attempt still runs is 409. A
 * write that throws rolls back with its key, so a retry of a refused request runs again.
 */
export function idempotently(
  trx: Tx,
  request: FastifyRequest,
  actor: Actor,
  write: () => Promise<IdempotentResponse>,
): Promise<IdempotentOutcome> {
  const idempotency = idempotencyOf(request)
  if (!idempotency) return write().then((response) => ({ ...response, replayed: false }))
  return runIdempotent(
    trx,
    { caller: callerOf(actor), key: idempotency.key, requestHash: idempotency.hash },
    write,
  )
}

/**
 * The request's key and the hash of what it asks; undefined when it sent no key, 400 naming
 * `Idempotency-Key` when the key is malformed.
 */
export function idempotencyOf(request: FastifyRequest): { key: string; hash: string } | undefined {
  const header = request.headers['idempotency-key']
  if (header === undefined) return undefined
  // the URL includes the query string: the same key on another query is another request
  return { key: checkIdempotencyKey(header), hash: requestHash(request.method, request.url, request.body) }
}

/** Whose keys these are: an API key's keys are its own, apart from its owner's. */
export function callerOf(actor: Actor): string {
  return actor.apiKeyId ? `api_key:${actor.apiKeyId}` : `user:${actor.userId}`
}

/** Sends a (possibly replayed) response: its status, its body, and whether it was replayed. */
export function replyIdempotent(reply: FastifyReply, outcome: IdempotentOutcome) {
  if (outcome.replayed) reply.header('idempotent-replayed', 'true')
  return reply.code(outcome.statusCode).send(outcome.body)
}
