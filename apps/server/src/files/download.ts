import type { FileContent } from '@tessera/kernel'
import type { FastifyReply } from 'fastify'

/**
 * Sends a version's bytes as a download. The type is the sniffed one; `nosniff` stops a browser
 * from guessing another, `attachment` from rendering it in the app's origin, and the sandboxing
 * CSP from running anything should it be rendered all the same. Downloads are per member, so no
 * shared cache may keep them.
 */
export function sendContent(reply: FastifyReply, { version, content }: FileContent): FastifyReply {
  return reply
    .header(
      'content-type',
      version.content_type === 'text/plain' ? 'text/plain; charset=utf-8' : version.content_type,
    )
    .header('content-length', String(version.size))
    .header('content-disposition', attachment(version.name))
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .header('cache-control', 'private, no-store')
    .header('etag', `"${version.sha256}"`)
    .header('repr-digest', `sha-256=:${Buffer.from(version.sha256, 'hex').toString('base64')}:`)
    .send(content)
}

/**
 * `attachment` with the name twice (RFC 6266): `filename*` in UTF-8 (RFC 8187) for every current
 * browser, and an ASCII `filename` with anything unsafe in a quoted string replaced.
 */
export function attachment(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, '_')
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeRfc8187(name)}`
}

function encodeRfc8187(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}
