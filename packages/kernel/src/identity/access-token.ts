import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto'
import { jwtVerify, SignJWT } from 'jose'
import type { ServerSecrets } from '../secrets/master-secret.ts'

/** Access tokens live 15 minutes: long enough for a page session, short enough to limit a leak. */
export const ACCESS_TOKEN_SECONDS = 15 * 60
const ISSUER = 'tessera'
const AUDIENCE = 'tessera-api'

export interface AccessClaims {
  /** user id */
  sub: string
  /** tenant id */
  tid: string
  /** session id, checked against revocations on every request */
  sid: string
}

export interface AccessTokens {
  sign(claims: AccessClaims): Promise<string>
  /** The claims of a valid, unexpired token of ours, or undefined: never throws on bad input. */
  verify(token: string): Promise<AccessClaims | undefined>
}

// DER prefix of a PKCS#8 Ed25519 private key; the 32-byte seed follows it.
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')

/**
 * EdDSA (Ed25519) JWTs whose key is derived from the server's master secret, so every API node
 * of one installation signs and verifies alike with no key distribution step.
 */
export function createAccessTokens(secrets: ServerSecrets): AccessTokens {
  const seed = secrets.deriveKey('jwt-signing', 32)
  const privateKey: KeyObject = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  })
  const publicKey = createPublicKey(privateKey)
  const kid = createHash('sha256')
    .update(publicKey.export({ format: 'der', type: 'spki' }))
    .digest('base64url')
    .slice(0, 16)

  return {
    sign: (claims) =>
      new SignJWT({ tid: claims.tid, sid: claims.sid })
        .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'JWT' })
        .setSubject(claims.sub)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(`${ACCESS_TOKEN_SECONDS}s`)
        .sign(privateKey),
    async verify(token) {
      if (token.length > 4096) return undefined
      try {
        const { payload } = await jwtVerify(token, publicKey, {
          algorithms: ['EdDSA'],
          issuer: ISSUER,
          audience: AUDIENCE,
        })
        const { sub, tid, sid } = payload
        if (typeof sub !== 'string' || typeof tid !== 'string' || typeof sid !== 'string') return undefined
        return { sub, tid, sid }
      } catch {
        return undefined
      }
    },
  }
}
