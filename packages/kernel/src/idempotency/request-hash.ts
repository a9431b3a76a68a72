import { createHash } from 'node:crypto'

/**
 * JSON with every object's keys sorted, so two bodies that differ only in key order are the same
 * request. Properties whose value is undefined are left out, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  if (hasToJson(value)) return canonicalJson(value.toJSON())
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`)
    return `{${entries.join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

function hasToJson(value: unknown): value is { toJSON(): unknown } {
  return typeof (value as { toJSON?: unknown } | null)?.toJSON === 'function'
}

/**
 * What a request is, for comparing a retry with the first attempt: sha256 (hex) of the method,
 * the path (with its query string) and the canonical body. An absent body hashes differently
 * from `null`.
 */
export function requestHash(method: string, path: string, body: unknown): string {
  const canonicalBody = body === undefined ? '' : canonicalJson(body)
  return createHash('sha256').update(`${method.toUpperCase()}\n${path}\n${canonicalBody}`).digest('hex')
}
