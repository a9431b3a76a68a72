import { recordSecurityEvent, withTenant } from '@tessera/kernel'
import { createTestApp, type TestApp } from '@tessera/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signUp } from '../auth/helpers.ts'
import { call } from './helpers.ts'

/** What the security log screen reads: each event's request id, and a date range. */

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

describe('GET /api/v1/security-events', () => {
  it("returns the request id of the request that caused each event, and only this tenant's", async () => {
    const owner = await signUp(t)
    const other = await signUp(t)
    const failed = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'x-request-id': 'req-wrong-password-1' },
      payload: { email: owner.email, password: 'not the password at all' },
    })
    expect(failed.statusCode).toBe(401)
    const res = await call(t, owner.accessToken, 'GET', '/api/v1/security-events?type=login.failed')
    expect(res.statusCode).toBe(200)
    expect(res.json().data).toEqual([
      expect.objectContaining({
        type: 'login.failed',
        user_id: owner.userId,
        request_id: 'req-wrong-password-1',
      }),
    ])
    const theirs = await call(t, other.accessToken, 'GET', '/api/v1/security-events?type=login.failed')
    expect(theirs.json().data).toEqual([])
  })

  it('keeps events at or after `after` and before `before`', async () => {
    const owner = await signUp(t)
    const all = (await call(t, owner.accessToken, 'GET', '/api/v1/security-events')).json().data as {
      id: string
      created_at: string
    }[]
    const signup = all.at(-1)
    if (!signup) throw new Error('sign-up left no security event')
    const at = encodeURIComponent(signup.created_at)
    const from = await call(t, owner.accessToken, 'GET', `/api/v1/security-events?after=${at}`)
    expect(from.json().data.map((e: { id: string }) => e.id)).toContain(signup.id)
    const later = new Date(Date.parse(signup.created_at) + 60 * 60_000).toISOString()
    const none = await call(t, owner.accessToken, 'GET', `/api/v1/security-events?after=${later}`)
    expect(none.json().data).toEqual([])
    const until = await call(t, owner.accessToken, 'GET', `/api/v1/security-events?before=${at}`)
    expect(until.json().data.map((e: { id: string }) => e.id)).not.toContain(signup.id)
  })

  it('pages by next_cursor without skipping or repeating events that share their time', async () => {
    const owner = await signUp(t)
    // one transaction's events share now(): a bound by time alone would lose some at a page edge
    await withTenant(t.database.db, owner.tenantId, async (trx) => {
      for (let i = 0; i < 5; i++)
        await recordSecurityEvent(
          trx,
          owner.tenantId,
          'login.failed',
          { ip: '192.0.2.1', userAgent: null, requestId: `req-${i}` },
          { userId: owner.userId },
        )
    })
    const all = (await call(t, owner.accessToken, 'GET', '/api/v1/security-events?limit=200')).json()
    expect(all.next_cursor).toBeNull()
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const page = await call(
        t,
        owner.accessToken,
        'GET',
        `/api/v1/security-events?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      )
      expect(page.statusCode, page.body).toBe(200)
      seen.push(...page.json().data.map((e: { id: string }) => e.id))
      cursor = page.json().next_cursor
    } while (cursor)
    expect(seen).toEqual(all.data.map((e: { id: string }) => e.id))
    expect(seen.length).toBeGreaterThanOrEqual(6)
  })

  it('refuses a malformed cursor, naming the parameter', async () => {
    const owner = await signUp(t)
    const res = await call(t, owner.accessToken, 'GET', '/api/v1/security-events?cursor=2026-01-01')
    expect(res.statusCode).toBe(400)
    expect(res.headers['content-type']).toContain('application/problem+json')
    expect(JSON.stringify(res.json())).toContain('cursor')
  })

  it('refuses an `after` that is not a date-time, naming the parameter', async () => {
    const owner = await signUp(t)
    const res = await call(t, owner.accessToken, 'GET', '/api/v1/security-events?after=yesterday')
    expect(res.statusCode).toBe(400)
    expect(JSON.stringify(res.json())).toContain('after')
  })
})
