/** The longest name kept, in UTF-8 bytes (what most file systems allow a download to be saved as). */
export const MAX_NAME_BYTES = 255

/**
 * Characters dropped from names: control characters, and invisible or direction-changing ones
 * that make `gpj.exe` look like `exe.jpg` in a list.
 */
const INVISIBLE = /[\p{Cc}\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/gu

/** Characters Windows refuses in a name; a downloaded file keeps its name there too. */
const RESERVED = /[<>:"|?*]/g

/**
 * A client's file name as a label that is safe to store and to offer when downloading: the last
 * path segment only (`../../etc/passwd` is `passwd`), without control, invisible or reserved
 * characters, without leading or trailing dots and spaces (no `..`, no hidden files), at most
 * MAX_NAME_BYTES long with its extension kept. The name is never used as a path: contents are
 * stored under ids. An empty result becomes `fallback`.
 */
export function sanitiseFileName(raw: string, fallback = 'file'): string {
  const last = raw.normalize('NFC').split(/[\\/]/).pop() ?? ''
  const cleaned = last
    .replace(INVISIBLE, '')
    .replace(RESERVED, '_')
    .replace(/^[\s.]+|[\s.]+$/gu, '')
  return truncate(cleaned) || fallback
}

function truncate(name: string): string {
  if (Buffer.byteLength(name) <= MAX_NAME_BYTES) return name
  const extension = /\.[^.\s]{1,16}$/u.exec(name)?.[0] ?? ''
  const stem = Array.from(name.slice(0, name.length - extension.length))
  while (stem.length > 0 && Buffer.byteLength(stem.join('') + extension) > MAX_NAME_BYTES) stem.pop()
  return (stem.join('') + extension).replace(/[\s.]+$/u, '')
}
