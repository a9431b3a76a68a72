const LENGTH = 160
const BEFORE = 40

/**
 * A short excerpt of `value` around the first word of `q` it contains (case-insensitively), so a
 * hit in a long description shows why it matched; the start of the value when none is found.
 */
export function snippetOf(value: string, q: string): string {
  const text = value.replace(/\s+/g, ' ').trim()
  if (text.length <= LENGTH) return text
  const lower = text.toLowerCase()
  const found = q
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0 && word !== 'or')
    .map((word) => lower.indexOf(word))
    .filter((at) => at >= 0)
  const first = found.length > 0 ? Math.min(...found) : 0
  const start = Math.max(0, Math.min(first - BEFORE, text.length - LENGTH))
  const end = start + LENGTH
  return `${start > 0 ? '…' : ''}${text.slice(start, end).trim()}${end < text.length ? '…' : ''}`
}
