import { createHmac } from 'node:crypto'
import type { Db } from '../db/schema.ts'
import type { ServerSecrets } from '../secrets/master-secret.ts'
import { type AccessTokens, createAccessTokens } from './access-token.ts'

/** What identity services need, built once at start-up and passed to every call. */
export interface IdentityContext {
  db: Db
  tokens: AccessTokens
  /** CSRF token of a session: an HMAC, so it needs no storage and cannot be forged */
  csrfToken(sessionId: string): string
  /** base of the growing delay after repeated login failures (0 disables it) */
  loginDelayBaseMs: number
  /** sealing key for TOTP seeds and SSO client secrets */
  sealingKey: Buffer
}

export function createIdentityContext(
  db: Db,
  secrets: ServerSecrets,
  loginDelayBaseMs = 250,
): IdentityContext {
  const csrfKey = secrets.deriveKey('csrf', 32)
  return {
    db,
    tokens: createAccessTokens(secrets),
    csrfToken: (sessionId) => createHmac('sha256', csrfKey).update(sessionId).digest('base64url'),
    loginDelayBaseMs,
    sealingKey: secrets.deriveKey('sealing', 32),
  }
}
