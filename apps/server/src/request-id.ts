import type { IncomingMessage } from 'node:http'
import { newId } from '@tessera/kernel'

const SAFE = /^[A-Za-z0-9._-]{8,64}$/

/**
 * A caller (or a proxy in front of us) may pass its own X-Request-Id so one id follows a request
 * across systems; anything that is not a short token is replaced, so logs cannot be forged.
 */
export function requestId(request: IncomingMessage): string {
  const given = request.headers['x-request-id']
  return typeof given === 'string' && SAFE.test(given) ? given : newId()
}
