import { createTestApp, type TestApp } from '@tessera/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureWebBuilt } from '../../server/src/web.ts'

let t: TestApp
beforeAll(async () => {
  await ensureWebBuilt()
  t = await createTestApp()
})
afterAll(async () => {
  await t?.close()
})

describe('serving the web app', () => {
  it('serves the built app at / and its index.html for the app’s own paths', async () => {
    for (const url of ['/', '/e/partners.partner', '/reset-password', '/settings/modules?x=1']) {
      const res = await t.app.inject({ method: 'GET', url })
      expect(res.statusCode, url).toBe(200)
      expect(res.headers['content-type'], url).toMatch(/text\/html/)
      expect(res.headers['cache-control'], url).toBe('no-cache')
      expect(res.body, url).toContain('<div id="root"></div>')
    }
  })

  it('serves the hashed assets with a long cache lifetime', async () => {
    const index = await t.app.inject({ method: 'GET', url: '/' })
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(index.body)?.[1]
    expect(script).toBeDefined()
    const res = await t.app.inject({ method: 'GET', url: script as string })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/javascript/)
    expect(res.headers['cache-control']).toContain('immutable')
  })

  it('keeps unknown API paths and missing assets a problem+json 404, not the app', async () => {
    for (const url of ['/api/v1/no-such-route', '/api/nothing', '/api']) {
      const res = await t.app.inject({ method: 'GET', url })
      expect(res.statusCode, url).toBe(404)
      expect(res.headers['content-type'], url).toMatch(/application\/problem\+json/)
    }
    const missingAsset = await t.app.inject({ method: 'GET', url: '/assets/nope-123.js' })
    expect(missingAsset.statusCode).toBe(404)
  })
})
