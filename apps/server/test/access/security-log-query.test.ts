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

  it('refuses an `after` that is not a date-time, naming the parameter', async () => {
    const owner = await signUp(t)
    const res = await call(t, owner.accessToken, 'GET', '/api/v1/security-events?after=yesterday')
    expect(res.statusCode).toBe(400)
    expect(JSON.stringify(res.json())).toContain('after')
  })
})
