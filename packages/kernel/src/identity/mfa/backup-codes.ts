import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/** How many codes a member gets at a time. */
export const BACKUP_CODE_COUNT = 10

/**
 * Crockford's base32 alphabet, lower case: digits and letters without i, l, o and u, so nothing on
 * the printed sheet can be misread. Input is read the Crockford way too (o as 0, i and l as 1).
 */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'
/** 12 characters of 5 bits each: 60 bits, printed as `xxxx-xxxx-xxxx`. */
const CODE_LENGTH = 12
const GROUP_LENGTH = 4
const SALT_BYTES = 16
const HASH_PREFIX = 's1'

/**
 * Ten fresh codes to show the member once, and the hashes to store, index for index.
 *
 * Why a fast salted SHA-256 and not argon2: a code is 60 bits from the CSPRNG, not something a person
 * chose, so there is no dictionary to try; guessing one offline costs about 2^59 hashes, years of GPU
 * time, and yields only a second factor that is useless without the password. The per-code salt stops
 * one pass over the code space from cracking every member's codes at once. A slow hash would only add
 * ten argon2 runs to every attempt, for no gain against an attacker who faces 2^60.
 */
export function newBackupCodes(): { codes: string[]; hashes: string[] } {
  const raw = new Set<string>()
  while (raw.size < BACKUP_CODE_COUNT) raw.add(randomCode())
  const codes = [...raw]
  return { codes: codes.map(format), hashes: codes.map((code) => hashCode(code, randomBytes(SALT_BYTES))) }
}

/**
 * The index of the stored hash that `input` matches, or -1. The caller deletes (or nulls) that entry
 * so the code works once. Each comparison is constant-time and every entry is checked, so timing does
 * not reveal which code, or how much of one, matched.
 */
export function matchBackupCode(input: string, storedHashes: readonly (string | null)[]): number {
  const code = normalizeBackupCode(input)
  if (code === undefined) return -1
  let found = -1
  storedHashes.forEach((stored, index) => {
    const parsed = stored ? parseHash(stored) : undefined
    if (!parsed) return
    if (timingSafeEqual(digest(code, parsed.salt), parsed.digest) && found === -1) found = index
  })
  return found
}

/** Lower case, without spaces or dashes, with o/i/l read as 0/1; undefined when it cannot be a code. */
export function normalizeBackupCode(input: string): string | undefined {
  if (typeof input !== 'string') return undefined
  const code = input
    .toLowerCase()
    .replace(/[\s-]+/g, '')
    .replace(/o/g, '0')
    .replace(/[il]/g, '1')
  if (code.length !== CODE_LENGTH || [...code].some((char) => !ALPHABET.includes(char))) return undefined
  return code
}

// 256 is a multiple of 32, so taking the low five bits of each random byte is unbiased.
function randomCode(): string {
  return [...randomBytes(CODE_LENGTH)].map((byte) => ALPHABET[byte & 31]).join('')
}

function format(code: string): string {
  const groups: string[] = []
  for (let at = 0; at < code.length; at += GROUP_LENGTH) groups.push(code.slice(at, at + GROUP_LENGTH))
  return groups.join('-')
}

/** `s1.<salt>.<sha256(salt ‖ code)>`, base64url; the prefix leaves room for another scheme later. */
function hashCode(code: string, salt: Buffer): string {
  return `${HASH_PREFIX}.${salt.toString('base64url')}.${digest(code, salt).toString('base64url')}`
}

function digest(code: string, salt: Buffer): Buffer {
  return createHash('sha256').update(salt).update(code, 'ascii').digest()
}

function parseHash(stored: string): { salt: Buffer; digest: Buffer } | undefined {
  const [prefix, salt, hash, ...rest] = stored.split('.')
  if (prefix !== HASH_PREFIX || !salt || !hash || rest.length > 0) return undefined
  const parsed = { salt: Buffer.from(salt, 'base64url'), digest: Buffer.from(hash, 'base64url') }
  return parsed.salt.length === SALT_BYTES && parsed.digest.length === 32 ? parsed : undefined
}
