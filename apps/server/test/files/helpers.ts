import { readdir } from 'node:fs/promises'
import { type Agent, request } from 'node:http'
import { join, relative } from 'node:path'
import type { Readable } from 'node:stream'
import type { TestApp } from '@tessera/testing'
import { bearer } from '../auth/helpers.ts'

/** A 1×1 transparent PNG. */
export const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
)

/** POST /api/v1/files with `body` as the file; `query` names the record and the file. */
export function upload(
  t: TestApp,
  token: string,
  query: Record<string, string>,
  body: Buffer | string | Readable,
  headers: Record<string, string> = {},
) {
  return t.app.inject({
    method: 'POST',
    url: `/api/v1/files?${new URLSearchParams(query)}`,
    headers: { ...bearer(token), 'content-type': 'application/octet-stream', ...headers },
    payload: body,
  })
}

/** POST /api/v1/files/{id}/versions. */
export function uploadVersion(
  t: TestApp,
  token: string,
  id: string,
  body: Buffer | string | Readable,
  filename?: string,
) {
  const query = filename === undefined ? '' : `?${new URLSearchParams({ filename })}`
  return t.app.inject({
    method: 'POST',
    url: `/api/v1/files/${id}/versions${query}`,
    headers: { ...bearer(token), 'content-type': 'application/octet-stream' },
    payload: body,
  })
}

/** Every file under `root`, as paths relative to it. */
export async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => [])
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort()
}

/**
 * POST `chunks` × 16 KiB to `url` over a real connection from `agent`, announced with
 * Content-Length or sent chunked, and read the answer.
 */
export function postOverHttp(
  url: URL,
  token: string,
  agent: Agent,
  { chunks, announced }: { chunks: number; announced: boolean },
) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const headers = {
      authorization: `Bearer ${token}`,
      'content-type': 'application/octet-stream',
      ...(announced ? { 'content-length': String(chunks * 16_384) } : {}),
    }
    const req = request(url, { method: 'POST', headers, agent }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        body += chunk
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    let sent = 0
    const write = () => {
      while (sent < chunks) {
        sent += 1
        if (!req.write(Buffer.alloc(16_384, 7))) return void req.once('drain', write)
      }
      req.end()
    }
    write()
  })
}

/** One part of a multipart/form-data body: a field, or a file when it has a filename. */
export interface FormPart {
  name: string
  content: string | Buffer
  filename?: string
  type?: string
}

/** A multipart/form-data body as a browser's FormData sends it, and its Content-Type. */
export function multipartBody(parts: FormPart[]): { payload: Buffer; contentType: string } {
  const boundary = `----tessera-test-${Math.random().toString(36).slice(2)}`
  const chunks: Buffer[] = []
  for (const part of parts) {
    const disposition =
      part.filename === undefined
        ? `form-data; name="${part.name}"`
        : `form-data; name="${part.name}"; filename="${part.filename}"`
    const head = [`--${boundary}`, `Content-Disposition: ${disposition}`]
    if (part.type) head.push(`Content-Type: ${part.type}`)
    chunks.push(Buffer.from(`${head.join('\r\n')}\r\n\r\n`), Buffer.from(part.content), Buffer.from('\r\n'))
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` }
}
