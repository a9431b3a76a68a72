import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * Opaque credentials (refresh tokens, reset links, challenges, API keys): 256 random bits from the
 * CSPRNG, base64url, with only their SHA-256 stored. High entropy makes a slow hash unnecessary:
 * a stolen table of hashes cannot be reversed by guessing.
 */
export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url')
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex')
}

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
const SCOPED = new RegExp(`^(${UUID})\\.(${UUID})\\.([A-Za-z0-9_-]{43})$`)

/**
 * A credential that must be looked up inside its tenant (row-level security needs the tenant
 * before the row can be seen) carries the tenant and record ids in clear, then the secret:
 * `<tenant>.<record>.<secret>`. The ids are not secret; only the hash of the whole token is stored.
 */
export function scopedToken(tenantId: string, recordId: string): { token: string; hash: string } {
  const token = `${tenantId}.${recordId}.${newSecret()}`
  return { token, hash: hashSecret(token) }
}

export function parseScopedToken(
  token: unknown,
): { tenantId: string; recordId: string; hash: string } | undefined {
  if (typeof token !== 'string' || token.length > 200) return undefined
  const match = SCOPED.exec(token)
  if (!match?.[1] || !match[2]) return undefined
  return { tenantId: match[1], recordId: match[2], hash: hashSecret(token) }
}
