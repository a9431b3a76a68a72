import { randomBytes } from 'node:crypto'

const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789'

/**
 * A password for an account someone else opens (CLI, demo tenant), shown once: 20 characters
 * from a 31-letter alphabet without look-alikes (about 99 bits), in groups of five for reading.
 * 256 is not a multiple of 31, so bytes past the largest multiple are skipped to keep it unbiased.
 */
export function generatePassword(): string {
  const chars: string[] = []
  const limit = 256 - (256 % ALPHABET.length)
  while (chars.length < 20) {
    for (const byte of randomBytes(32)) {
      if (byte < limit && chars.length < 20) chars.push(ALPHABET[byte % ALPHABET.length] as string)
    }
  }
  return [0, 5, 10, 15].map((i) => chars.slice(i, i + 5).join('')).join('-')
}
