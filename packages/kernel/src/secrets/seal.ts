import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'

const VERSION = 'v1'
const KEY_BYTES = 32
/** GCM's standard nonce; random is safe for far more seals than one key will ever make (NIST limit 2^32). */
const NONCE_BYTES = 12
const TAG_BYTES = 16

/**
 * Encrypts a secret for storage with AES-256-GCM: `v1.<nonce>.<ciphertext+tag>`, base64url.
 * `associatedData` names the row the value belongs to (e.g. `totp:<tenant id>:<user id>`): it is
 * authenticated but not stored, so a value copied into another row fails to open. Use fixed-width or
 * separated parts (UUIDs with a separator) so two different rows can never produce the same string.
 */
export function sealSecret(key: Uint8Array, plaintext: string, associatedData: string): string {
  assertKey(key)
  const nonce = randomBytes(NONCE_BYTES)
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES })
  cipher.setAAD(Buffer.from(associatedData, 'utf8'))
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()])
  return `${VERSION}.${nonce.toString('base64url')}.${body.toString('base64url')}`
}

/** The plaintext of a sealed value; throws if it was altered, sealed for another row or with another key. */
export function openSecret(key: Uint8Array, sealed: string, associatedData: string): string {
  assertKey(key)
  const [version, nonceText, bodyText, ...rest] = typeof sealed === 'string' ? sealed.split('.') : []
  const nonce = decodeBase64url(nonceText)
  const body = decodeBase64url(bodyText)
  if (
    version !== VERSION ||
    rest.length > 0 ||
    nonce?.length !== NONCE_BYTES ||
    !body ||
    body.length < TAG_BYTES
  ) {
    throw unopenable()
  }
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES })
  decipher.setAAD(Buffer.from(associatedData, 'utf8'))
  decipher.setAuthTag(body.subarray(body.length - TAG_BYTES))
  try {
    return Buffer.concat([
      decipher.update(body.subarray(0, body.length - TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8')
  } catch {
    throw unopenable()
  }
}

function assertKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES) {
    throw new Error(`Sealing needs a ${KEY_BYTES}-byte key.`)
  }
}

/**
 * Strict: Node's decoder skips characters it does not know and ignores stray trailing bits, which
 * would let an altered string open to the same bytes. Only the canonical encoding is accepted.
 */
function decodeBase64url(text: string | undefined): Buffer | undefined {
  if (!text || !/^[A-Za-z0-9_-]+$/.test(text)) return undefined
  const bytes = Buffer.from(text, 'base64url')
  return bytes.toString('base64url') === text ? bytes : undefined
}

// One message for every failure: the caller (and any log) learns nothing about which check failed.
function unopenable(): Error {
  return new Error(
    'The sealed value cannot be opened: it was altered, belongs to another row, or the key differs.',
  )
}
