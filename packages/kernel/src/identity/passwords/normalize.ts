/**
 * The one form a password takes before it is measured, compared or hashed. NFKC (as NIST SP 800-63B
 * advises) makes the same password typed on two keyboards or systems (composed "é" versus "e" plus a
 * combining accent, full-width letters) hash to the same value; hashing and verifying must both use it.
 */
export function normalizePassword(plain: string): string {
  return plain.normalize('NFKC')
}

/** Length in Unicode code points: an emoji is one character to the user, though two UTF-16 units. */
export function codePointLength(text: string): number {
  let length = 0
  for (const _ of text) length++
  return length
}

/** The first `max` code points, never splitting a surrogate pair, without walking the rest of `text`. */
export function firstCodePoints(text: string, max: number): string {
  let end = 0
  let count = 0
  for (const character of text) {
    if (count === max) break
    end += character.length
    count++
  }
  return text.slice(0, end)
}
