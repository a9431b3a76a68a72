import { hkdfSync } from 'node:crypto'

/** AES-256 and HMAC-SHA256 both want 32 bytes; a caller needing another length says so. */
const DEFAULT_KEY_BYTES = 32

/**
 * One key per purpose (e.g. 'totp-seed', 'jwt-signing') from the master secret, by HKDF-SHA256.
 * The purpose is the HKDF `info`, so keys for different purposes are independent: learning one says
 * nothing about the master or any other. No salt: the master is already uniformly random (or checked
 * to be long enough), which is the case RFC 5869 §3.1 allows the salt to be omitted for.
 */
export function deriveKey(master: Uint8Array, purpose: string, length = DEFAULT_KEY_BYTES): Buffer {
  if (typeof purpose !== 'string' || purpose.trim() === '') {
    throw new Error('A derived key needs a non-empty purpose.')
  }
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `tessera:${purpose}`, length))
}
