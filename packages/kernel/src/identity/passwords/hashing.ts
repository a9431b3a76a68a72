import { type Algorithm, hash, type Options, parseOptions, type Version, verify } from '@node-rs/argon2'
import { normalizePassword } from './normalize.ts'

// The package types these as ambient const enums (unreadable under isolatedModules) and its run-time
// `Algorithm` export is an empty object, so the values are written out: argon2id = 2, version 0x13 = 1.
const ARGON2ID: Algorithm = 2
const VERSION_0X13: Version = 1

/**
 * argon2id at OWASP's minimum (19 MiB, 2 passes, 1 lane). Raising any of these makes every stored hash
 * report `needsRehash`, so accounts upgrade at their next successful login.
 */
export const HASH_OPTIONS = {
  algorithm: ARGON2ID,
  version: VERSION_0X13,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
  outputLen: 32,
} as const satisfies Options

/** Salt length the library generates; a stored hash with a shorter salt is upgraded. */
const SALT_BYTES = 16

/** A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) carrying its own salt and parameters. */
export function hashPassword(plain: string): Promise<string> {
  return hash(normalizePassword(plain), HASH_OPTIONS)
}

/**
 * True only when `plain` matches `storedHash`. A malformed or foreign hash is a false, not an error:
 * a login must answer "wrong credentials" whatever is in the column.
 */
export async function verifyPassword(storedHash: string, plain: string): Promise<boolean> {
  if (typeof storedHash !== 'string' || typeof plain !== 'string') return false
  try {
    return await verify(storedHash, normalizePassword(plain))
  } catch {
    return false
  }
}

/**
 * True when the stored hash was made with weaker (or unreadable) parameters than HASH_OPTIONS.
 * Call it after a successful verify, while the plain password is at hand to hash again.
 */
export function needsRehash(storedHash: string): boolean {
  try {
    const used = parseOptions(storedHash)
    return (
      used.algorithm !== HASH_OPTIONS.algorithm ||
      used.version !== HASH_OPTIONS.version ||
      used.memoryCost < HASH_OPTIONS.memoryCost ||
      used.timeCost < HASH_OPTIONS.timeCost ||
      used.parallelism !== HASH_OPTIONS.parallelism ||
      used.outputLen < HASH_OPTIONS.outputLen ||
      used.saltLen < SALT_BYTES
    )
  } catch {
    return true
  }
}
