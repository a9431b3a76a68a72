import { Invalid, TesseraError } from '@tessera/kernel'
import type { FastifyReply, FastifyRequest } from 'fastify'

/** 428: a change that must say which version it changes did not (RFC 6585). */
export class PreconditionRequired extends TesseraError {
  readonly status = 428
  constructor(message: string) {
    super('if_match_required', message)
  }
}

const VERSION = /^(?:W\/)?"?([1-9]\d{0,9})"?$/

/**
 * The version a PATCH expects, from `If-Match: "<version>"` (the ETag of the GET; a bare number
 * is accepted too). Without it the server cannot tell a lost update from an intended one: 428.
 */
export function expectedVersion(request: FastifyRequest): number {
  const header = request.headers['if-match']
  if (header === undefined || header === '') {
    throw new PreconditionRequired(
      'Send If-Match with the version you read (the ETag of GET), so that nobody else’s change is overwritten.',
    )
  }
  const match = VERSION.exec(header.trim())
  if (!match?.[1] || Number(match[1]) > 2_147_483_647) {
    throw Invalid.field('If-Match', 'If-Match must be one version, e.g. "3", as the ETag gave it.', 'format')
  }
  return Number(match[1])
}

/** The record's version as its entity tag, for the next If-Match. */
export function withVersionTag<T extends { version: number }>(reply: FastifyReply, record: T): T {
  reply.header('etag', `"${record.version}"`)
  return record
}
