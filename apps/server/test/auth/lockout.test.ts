import { randomInt } from 'node:crypto'
import { connect } from 'node:net'
import { addUserToTenant, delayFor, FREE_FAILURES, LOCK_AFTER, throttleState } from '@tessera/kernel'
import { createTestApp, type TestApp } from '@tessera/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, STRONG_PASSWORD, signUp } from './helpers.ts'

const WRONG = 'not the password at all'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

const login = (app: TestApp, email: string, password: string, remoteAddress?: string) =>
  app.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password },
    ...(remoteAddress ? { remoteAddress } : {}),
  })

/** A response as a client sees it, minus what differs on every request. */
const seen = (res: {
  statusCode: number
  headers: Record<string, unknown>
  json(): Record<string, unknown>
}) => ({
  status: res.statusCode,
  type: res.headers['content-type'],
  body: { ...res.json(), request_id: undefined },
})

const uniqueEmail = () => `nobody-${process.pid}-${randomInt(1e9)}@example.com`

describe('per-account lockout', () => {
  it(`locks an address after ${LOCK_AFTER} failures: then even the right password gets the same 401`, async () => {
    const owner = await signUp(t)
    let firstWrong: ReturnType<typeof seen> | undefined
    for (let i = 0; i < LOCK_AFTER; i++) {
      const res = seen(await login(t, owner.email, WRONG))
      firstWrong ??= res
      expect(res).toEqual(firstWrong)
    }
    expect(firstWrong?.status).toBe(401)
    expect((await throttleState(t.database.db, owner.email.toLowerCase())).locked).toBe(true)

    const right = await login(t, owner.email, STRONG_PASSWORD)
    expect(seen(right)).toEqual(firstWrong)
    expect(right.headers['set-cookie']).toBeUndefined()
    // While locked, attempts neither count nor extend the lock.
    expect(await throttleState(t.database.db, owner.email.toLowerCase())).toEqual({
      failures: 0,
      locked: true,
    })

    const events = await t.app.inject({
      method: 'GET',
      url: '/api/v1/security-events?type=login.locked',
      headers: bearer(owner.accessToken),
    })
    expect(events.json().data).toHaveLength(1)
  })

  it('lets the right password in again once an administrator unlocks the member', async () => {
    const owner = await signUp(t)
    const email = uniqueEmail()
    const { user } = await addUserToTenant(t.database.db, {
      tenantId: owner.tenantId,
      email,
      name: 'Charles Babbage',
      password: STRONG_PASSWORD,
      roles: ['user'],
    })
    for (let i = 0; i < LOCK_AFTER; i++) await login(t, email, WRONG)
    expect((await login(t, email, STRONG_PASSWORD)).statusCode).toBe(401)

    const unlock = await t.app.inject({
      method: 'POST',
      url: `/api/v1/users/${user.id}/actions/unlock`,
      headers: bearer(owner.accessToken),
    })
    expect(unlock.statusCode).toBe(204)
    const res = await login(t, email, STRONG_PASSWORD)
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ status: 'ok', user: { id: user.id } })
  })

  it('treats an unknown address exactly like a known one: same answers, same lock', async () => {
    const owner = await signUp(t)
    const unknown = uniqueEmail()
    for (let i = 0; i < LOCK_AFTER + 2; i++) {
      const known = seen(await login(t, owner.email, WRONG))
      const stranger = seen(await login(t, unknown, WRONG))
      expect(stranger).toEqual(known)
      expect(await throttleState(t.database.db, unknown)).toEqual(
        await throttleState(t.database.db, owner.email.toLowerCase()),
      )
    }
    expect((await throttleState(t.database.db, unknown)).locked).toBe(true)
    expect(seen(await login(t, owner.email, STRONG_PASSWORD))).toEqual(seen(await login(t, unknown, WRONG)))
  })
})

describe('growing delay', () => {
  let slow: TestApp
  beforeAll(async () => {
    slow = await createTestApp({ env: { TESSERA_LOGIN_DELAY_MS: '50' } })
  })
  afterAll(() => slow.close())

  it(`holds answers after ${FREE_FAILURES} failures, longer with each, without changing them`, async () => {
    const owner = await signUp(slow)
    const key = owner.email.toLowerCase()
    expect(slow.identity.loginDelayBaseMs).toBe(50)
    const answers = []
    for (let i = 0; i < FREE_FAILURES + 2; i++) answers.push(seen(await login(slow, owner.email, WRONG)))
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1)

    const { failures, locked } = await throttleState(slow.database.db, key)
    expect({ failures, locked }).toEqual({ failures: FREE_FAILURES + 2, locked: false })
    // The delay the next attempt waits: none for the first free failures, then growing.
    expect(delayFor(FREE_FAILURES - 1, slow.identity.loginDelayBaseMs)).toBe(0)
    expect(delayFor(failures, slow.identity.loginDelayBaseMs)).toBeGreaterThan(
      delayFor(failures - 1, slow.identity.loginDelayBaseMs),
    )
    expect(delayFor(FREE_FAILURES, slow.identity.loginDelayBaseMs)).toBeGreaterThan(0)

    // The right password still works before the lock, and clears the count.
    expect((await login(slow, owner.email, STRONG_PASSWORD)).json().status).toBe('ok')
    expect(await throttleState(slow.database.db, key)).toEqual({ failures: 0, locked: false })
  })
})

/** True when something accepts TCP connections on 127.0.0.1:port. */
function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.setTimeout(500)
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('timeout', () => {
      socket.destroy()
      resolve(false)
    })
    socket.once('error', () => resolve(false))
  })
}

const redisUp = await reachable(6379)

/** A client address of its own, so counts from other runs (in a shared Redis) never mix in. */
const someIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`

async function expectLimited(app: TestApp) {
  const ip = someIp()
  const email = uniqueEmail()
  for (let i = 0; i < 3; i++) expect((await login(app, email, WRONG, ip)).statusCode).toBe(401)
  const limited = await login(app, email, WRONG, ip)
  expect(limited.statusCode).toBe(429)
  expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/)
  expect(limited.json()).toMatchObject({ status: 429, code: 'too_many_requests' })
  expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)
  // Another address is counted apart.
  expect((await login(app, email, WRONG, someIp())).statusCode).toBe(401)
  // And the reset route has its own limit, per address too.
  for (let i = 0; i < 3; i++) {
    const res = await app.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password-reset',
      payload: { email },
      remoteAddress: ip,
    })
    expect(res.statusCode).toBe(202)
  }
  const reset = await app.app.inject({
    method: 'POST',
    url: '/api/v1/auth/password-reset',
    payload: { email },
    remoteAddress: ip,
  })
  expect(reset.statusCode).toBe(429)
}

describe('per-IP rate limit on auth routes', () => {
  it('answers the 4th login within a minute from one address with 429 and Retry-After (memory store)', async () => {
    const limited = await createTestApp({ env: { TESSERA_AUTH_RATE_LIMIT: '3' } })
    try {
      await expectLimited(limited)
    } finally {
      await limited.close()
    }
  })

  it.runIf(redisUp)(
    'does the same with the Redis store (REDIS_URL; skipped when no Redis on 127.0.0.1:6379)',
    async () => {
      const limited = await createTestApp({
        env: { TESSERA_AUTH_RATE_LIMIT: '3', REDIS_URL: 'redis://127.0.0.1:6379' },
      })
      try {
        await expectLimited(limited)
      } finally {
        await limited.close()
      }
    },
  )
})
