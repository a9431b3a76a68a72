import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { withTenant } from '@tessera/kernel'
import type { TestApp } from '@tessera/testing'
import { sql } from 'kysely'

export interface Received {
  path: string
  headers: IncomingHttpHeaders
  body: string
}

export interface Answer {
  status: number
  body?: string
  headers?: Record<string, string>
}

/** A webhook receiver on loopback that records every request and answers as told. */
export async function startReceiver(answer: Answer = { status: 200, body: 'thanks' }) {
  const received: Received[] = []
  let current = answer
  const server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk) => {
      body += chunk
    })
    request.on('end', () => {
      received.push({ path: request.url ?? '', headers: request.headers, body })
      response.writeHead(current.status, current.headers).end(current.body ?? '')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    answer(next: Answer) {
      current = next
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** Waits for `condition`, failing after a generous deadline (a wait, not a timing assertion). */
export async function until<T>(
  condition: () => T | Promise<T>,
  deadlineMs = 60_000,
): Promise<NonNullable<T>> {
  const end = Date.now() + deadlineMs
  for (;;) {
    const value = await condition()
    if (value) return value as NonNullable<T>
    if (Date.now() > end) throw new Error('gave up waiting')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

export interface DeliveryRow {
  id: string
  webhook_id: string
  event_id: string
  status: string
  attempts: number
  http_status: number | null
  duration_ms: number | null
  response_excerpt: string | null
  error: string | null
  last_attempt_at: Date | null
  next_attempt_at: Date | null
}

/** A webhook's delivery rows as stored, oldest first. */
export function deliveryRows(t: TestApp, tenantId: string, webhookId: string): Promise<DeliveryRow[]> {
  return withTenant(t.database.db, tenantId, async (trx) => {
    const { rows } = await sql<DeliveryRow>`select * from webhook_deliveries
      where webhook_id = ${webhookId}::uuid order by id`.execute(trx)
    return rows
  })
}

type Verify = (secret: string, rawBody: string, header: string, toleranceSeconds?: number) => boolean

/**
 * The signature check exactly as the README shows it to receivers: the ```js block defining
 * verifyTesseraSignature, loaded as a module. If the README's sample breaks, this test does.
 */
export async function readmeVerifier(): Promise<Verify> {
  const readme = readFileSync(new URL('../../../../README.md', import.meta.url), 'utf8')
  const block = [...readme.matchAll(/```js\n([\s\S]*?)```/g)]
    .map((m) => m[1] ?? '')
    .find((code) => code.includes('function verifyTesseraSignature'))
  if (!block) throw new Error('README.md has no verifyTesseraSignature sample')
  const file = join(tmpdir(), `tessera-readme-verify-${process.pid}-${Date.now()}.mjs`)
  writeFileSync(file, block)
  try {
    return ((await import(pathToFileURL(file).href)) as { verifyTesseraSignature: Verify })
      .verifyTesseraSignature
  } finally {
    rmSync(file, { force: true })
  }
}
