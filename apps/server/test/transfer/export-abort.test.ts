import http from 'node:http'
import { createTestApp, type TestApp } from '@tessera/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SignedUp } from '../auth/helpers.ts'
import { api, create, tenantWith } from '../entities/helpers.ts'
import { catalogModule } from '../fixtures/modules/catalog.ts'

/**
 * An export streams inside the member's transaction: a client that leaves mid-download must end
 * it. On the embedded database that transaction holds the only connection, so the next request
 * answering at all is the proof (on a server, closing the app would wait for it instead).
 */
let t: TestApp
let owner: SignedUp
let port: number
beforeAll(async () => {
  t = await createTestApp({ modules: [catalogModule] })
  owner = await tenantWith(t, ['catalog'])
  // a few megabytes: more than the socket buffers, so the writer has to wait for the reader
  for (let i = 0; i < 40; i++)
    await create(t, owner.accessToken, 'catalog-items', {
      name: `Bulky ${i}`,
      kind: 'good',
      description: 'y'.repeat(99_000),
    })
  await t.app.listen({ port: 0, host: '127.0.0.1' })
  port = (t.app.server.address() as { port: number }).port
})
afterAll(async () => t?.close())

/** Starts a download, reads its first chunk, and hangs up. */
function leaveAfterFirstChunk(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get(
      { host: '127.0.0.1', port, path, headers: { authorization: `Bearer ${owner.accessToken}` } },
      (res) => {
        res.once('data', () => {
          request.destroy()
          resolve(res.statusCode ?? 0)
        })
      },
    )
    request.on('error', (err) => {
      if (!request.destroyed) reject(err)
    })
  })
}

describe('a client leaving mid-export', () => {
  it.each(['csv', 'xlsx'])('%s: ends the export and frees its connection', async (format) => {
    expect(await leaveAfterFirstChunk(`/api/v1/catalog-items/export?format=${format}`)).toBe(200)
    const next = await api(t, owner.accessToken, 'GET', '/api/v1/catalog-items?limit=1&fields=name')
    expect(next.statusCode).toBe(200)
  })
})
