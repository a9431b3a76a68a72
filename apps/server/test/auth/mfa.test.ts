import { addUserToTenant, openSecret, withSystem, withTenant } from '@tessera/kernel'
import { createTestApp, type TestApp } from '@tessera/testing'
import { sql } from 'kysely'
import { Secret, TOTP } from 'otpauth'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, type SignedUp, STRONG_PASSWORD, sessionCookie, signUp } from './helpers.ts'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

/**
 * Codes are computed at offsets from now. Each member gets at most two successful codes, offsets 0
 * then +1: they stay valid even if the server's clock crosses into the next 30 s step meanwhile.
 */
const codeAt = (secret: string, steps = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({
    timestamp: Date.now() + steps * 30_000,
  })

/** A code that no step near now produces. */
function wrongCode(secret: string): string {
  const near = new Set([-2, -1, 0, 1, 2].map((steps) => codeAt(secret, steps)))
  let n = 123456
  while (near.has(String(n))) n += 1
  return String(n)
}

const post = (url: string, payload?: object, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url, headers, ...(payload === undefined ? {} : { payload }) })
const get = (url: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url, headers })

interface Enrolled {
  secret: string
  backupCodes: string[]
}

/** Enrols the signed-in member: start, then confirm with the code of the current step. */
async function enrol(accessToken: string): Promise<Enrolled> {
  const start = await post('/api/v1/auth/mfa/enrollment', undefined, bearer(accessToken))
  expect(start.statusCode).toBe(200)
  const { secret } = start.json()
  const confirm = await post(
    '/api/v1/auth/mfa/enrollment/confirm',
    { code: codeAt(secret) },
    bearer(accessToken),
  )
  expect(confirm.statusCode).toBe(200)
  return { secret, backupCodes: confirm.json().backup_codes }
}

/** The password step; returns the challenge token. */
async function challengeFor(member: { email: string; password: string }): Promise<string> {
  const res = await post('/api/v1/auth/login', { email: member.email, password: member.password })
  expect(res.statusCode).toBe(200)
  expect(res.json().status).toBe('mfa_required')
  expect(res.json()).not.toHaveProperty('access_token')
  return res.json().challenge_token
}

const secondStep = (payload: Record<string, unknown>) => post('/api/v1/auth/login/mfa', payload)

async function enrolledOwner(): Promise<SignedUp & Enrolled> {
  const owner = await signUp(t)
  return { ...owner, ...(await enrol(owner.accessToken)) }
}

const eventsOf = (tenantId: string, type: string) =>
  withTenant(t.database.db, tenantId, (trx) =>
    trx
      .selectFrom('security_events')
      .select(['user_id', 'details'])
      .where('type', '=', type)
      .orderBy('created_at')
      .execute(),
  )

const challengeRow = (token: string) => {
  const [tenantId, id] = token.split('.') as [string, string]
  return withTenant(t.database.db, tenantId, (trx) =>
    trx.selectFrom('mfa_challenges').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),
  )
}

const userRow = (userId: string) =>
  withSystem(t.database.db, (trx) =>
    trx
      .selectFrom('users')
      .select(['totp_secret', 'totp_enabled_at', 'totp_last_step', 'backup_codes'])
      .where('id', '=', userId)
      .executeTakeFirstOrThrow(),
  )

const eventCount = async () =>
  (await sql<{ n: number }>`select count(*)::int as n from security_events`.execute(t.database.db)).rows[0]?.n

async function addMember(owner: SignedUp, roles: string[] = ['user']) {
  const email = `member-${Math.random().toString(36).slice(2)}@example.com`
  const { user } = await addUserToTenant(t.database.db, {
    tenantId: owner.tenantId,
    email,
    name: 'Mary Member',
    password: STRONG_PASSWORD,
    roles,
  })
  const login = await post('/api/v1/auth/login', { email, password: STRONG_PASSWORD })
  return { email, password: STRONG_PASSWORD, userId: user.id, login: login.json() }
}

describe('enrolment', () => {
  it('returns an otpauth URI and a QR code, and stores the seed sealed and not yet in force', async () => {
    const owner = await signUp(t)
    const start = await post('/api/v1/auth/mfa/enrollment', undefined, bearer(owner.accessToken))
    expect(start.statusCode).toBe(200)
    expect(start.headers['cache-control']).toBe('no-store')
    const { secret, otpauth_uri, qr_code } = start.json()
    expect(secret).toMatch(/^[A-Z2-7]{32}$/)
    expect(otpauth_uri).toMatch(/^otpauth:\/\/totp\/Tessera:/)
    expect(otpauth_uri).toContain(`secret=${secret}`)
    expect(qr_code).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/)

    const stored = await userRow(owner.userId)
    expect(stored.totp_secret).not.toBeNull()
    expect(stored.totp_secret).not.toContain(secret)
    expect(stored.totp_secret).toMatch(/^v1\./)
    expect(openSecret(t.identity.sealingKey, stored.totp_secret as string, `totp:${owner.userId}`)).toBe(
      secret,
    )
    expect(stored.totp_enabled_at).toBeNull()

    // not in force until confirmed: the password alone still signs in
    const login = await post('/api/v1/auth/login', { email: owner.email, password: owner.password })
    expect(login.json().status).toBe('ok')
    const status = await get('/api/v1/auth/mfa', bearer(owner.accessToken))
    expect(status.json()).toMatchObject({ enabled: false, enrollment_pending: true, required: false })
  })

  it('is confirmed by a first valid code, which yields ten single-use backup codes stored hashed', async () => {
    const owner = await signUp(t)
    const { secret } = (
      await post('/api/v1/auth/mfa/enrollment', undefined, bearer(owner.accessToken))
    ).json()
    const wrong = await post(
      '/api/v1/auth/mfa/enrollment/confirm',
      { code: wrongCode(secret) },
      bearer(owner.accessToken),
    )
    expect(wrong.statusCode).toBe(422)
    expect(wrong.json().code).toBe('mfa_code_invalid')
    expect((await userRow(owner.userId)).totp_enabled_at).toBeNull()
    expect(await eventsOf(owner.tenantId, 'mfa.failed')).toHaveLength(1)

    const confirm = await post(
      '/api/v1/auth/mfa/enrollment/confirm',
      { code: codeAt(secret) },
      bearer(owner.accessToken),
    )
    expect(confirm.statusCode).toBe(200)
    const codes: string[] = confirm.json().backup_codes
    expect(codes).toHaveLength(10)
    expect(new Set(codes).size).toBe(10)
    codes.forEach((code) => {
      expect(code).toMatch(/^[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}$/)
    })
    const stored = await userRow(owner.userId)
    expect(stored.totp_enabled_at).not.toBeNull()
    expect(stored.backup_codes).toHaveLength(10)
    const hashes = (stored.backup_codes ?? []).join('\n')
    for (const code of codes) expect(hashes).not.toContain(code.replace(/-/g, ''))
    expect(await eventsOf(owner.tenantId, 'mfa.enrolled')).toHaveLength(1)

    const again = await post('/api/v1/auth/mfa/enrollment', undefined, bearer(owner.accessToken))
    expect(again.statusCode).toBe(409)
    const status = await get('/api/v1/auth/mfa', bearer(owner.accessToken))
    expect(status.json()).toMatchObject({ enabled: true, backup_codes_remaining: 10 })
    const me = await get('/api/v1/auth/me', bearer(owner.accessToken))
    expect(me.json().user.mfa_enabled).toBe(true)
  })

  it('needs a started enrolment before a confirmation', async () => {
    const owner = await signUp(t)
    const res = await post(
      '/api/v1/auth/mfa/enrollment/confirm',
      { code: '123456' },
      bearer(owner.accessToken),
    )
    expect(res.statusCode).toBe(422)
    expect(res.json().code).toBe('mfa_enrollment_not_started')
  })
})

describe('login in two steps', () => {
  it('asks for a code after the password, then opens a session like a password login', async () => {
    const owner = await enrolledOwner()
    const challenge_token = await challengeFor(owner)
    const res = await secondStep({ challenge_token, code: codeAt(owner.secret, 1) })
    expect(res.statusCode).toBe(200)
    const json = res.json()
    expect(json).toMatchObject({
      status: 'ok',
      user: { id: owner.userId, email: owner.email },
      tenant: { id: owner.tenantId, slug: owner.tenantSlug },
      token_type: 'Bearer',
      expires_in: 900,
    })
    expect(json).not.toHaveProperty('cookie_token')
    expect(sessionCookie(res.headers['set-cookie'])).toMatch(/^tessera_session=.+/)
    const me = await get('/api/v1/auth/me', bearer(json.access_token))
    expect(me.statusCode).toBe(200)
    expect((await challengeRow(challenge_token)).used_at).not.toBeNull()
    const succeeded = await eventsOf(owner.tenantId, 'login.succeeded')
    expect(succeeded.at(-1)?.details).toMatchObject({ method: 'password+totp', session_id: json.session_id })

    // the challenge is used up
    const reuse = await secondStep({ challenge_token, code: codeAt(owner.secret, 1) })
    expect(reuse.statusCode).toBe(401)
    expect(reuse.json().code).toBe('mfa_challenge_invalid')
  })

  it('refuses a wrong code, counting the attempt and recording mfa.failed', async () => {
    const owner = await enrolledOwner()
    const challenge_token = await challengeFor(owner)
    const res = await secondStep({ challenge_token, code: wrongCode(owner.secret) })
    expect(res.statusCode).toBe(401)
    expect(res.json().code).toBe('mfa_code_invalid')
    expect((await challengeRow(challenge_token)).attempts).toBe(1)
    const failed = await eventsOf(owner.tenantId, 'mfa.failed')
    expect(failed).toHaveLength(1)
    expect(failed[0]?.details).toMatchObject({ reason: 'wrong', method: 'totp', attempts: 1 })
    expect(JSON.stringify(failed)).not.toContain(owner.secret)
  })

  it('never accepts a code twice', async () => {
    const owner = await enrolledOwner()
    const code = codeAt(owner.secret, 1)
    expect((await secondStep({ challenge_token: await challengeFor(owner), code })).statusCode).toBe(200)
    const replay = await secondStep({ challenge_token: await challengeFor(owner), code })
    expect(replay.statusCode).toBe(401)
    expect(replay.json().code).toBe('mfa_code_invalid')
    // nor the enrolment's code, from an earlier step
    const earlier = await secondStep({
      challenge_token: await challengeFor(owner),
      code: codeAt(owner.secret),
    })
    expect(earlier.statusCode).toBe(401)
  })

  it('accepts a code at most once when two requests carry it at the same time', async () => {
    const owner = await enrolledOwner()
    const tokens = [await challengeFor(owner), await challengeFor(owner)]
    const code = codeAt(owner.secret, 1)
    const results = await Promise.all(tokens.map((challenge_token) => secondStep({ challenge_token, code })))
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 401])
  })

  it('refuses a code from two steps ago', async () => {
    const owner = await enrolledOwner()
    const res = await secondStep({
      challenge_token: await challengeFor(owner),
      code: codeAt(owner.secret, -2),
    })
    expect(res.statusCode).toBe(401)
    expect(res.json().code).toBe('mfa_code_invalid')
  })

  it('burns the challenge at the fifth wrong code', async () => {
    const owner = await enrolledOwner()
    const challenge_token = await challengeFor(owner)
    for (let i = 0; i < 5; i++) {
      const res = await secondStep({ challenge_token, code: wrongCode(owner.secret) })
      expect(res.json().code).toBe('mfa_code_invalid')
    }
    const right = await secondStep({ challenge_token, code: codeAt(owner.secret, 1) })
    expect(right.statusCode).toBe(401)
    expect(right.json().code).toBe('mfa_challenge_invalid')
    const failed = await eventsOf(owner.tenantId, 'mfa.failed')
    expect(failed).toHaveLength(5)
    expect(failed.at(-1)?.details).toMatchObject({ attempts: 5, challenge_burned: true })
    // a new password step gives a new challenge
    const fresh = await secondStep({
      challenge_token: await challengeFor(owner),
      code: codeAt(owner.secret, 1),
    })
    expect(fresh.statusCode).toBe(200)
  })

  it('accepts each backup code once, and counts what is left', async () => {
    const owner = await enrolledOwner()
    const backup_code = owner.backupCodes[3] as string
    const first = await secondStep({ challenge_token: await challengeFor(owner), backup_code })
    expect(first.statusCode).toBe(200)
    const succeeded = await eventsOf(owner.tenantId, 'login.succeeded')
    expect(succeeded.at(-1)?.details).toMatchObject({ method: 'password+backup_code' })
    const again = await secondStep({
      challenge_token: await challengeFor(owner),
      backup_code: backup_code.toUpperCase().replace(/-/g, ' '),
    })
    expect(again.statusCode).toBe(401)
    expect(again.json().code).toBe('mfa_code_invalid')
    const stored = (await userRow(owner.userId)).backup_codes ?? []
    expect(stored.filter((hash) => hash === null)).toHaveLength(1)
    const status = await get('/api/v1/auth/mfa', bearer(first.json().access_token))
    expect(status.json().backup_codes_remaining).toBe(9)
  })

  it('refuses an expired challenge', async () => {
    const owner = await enrolledOwner()
    const challenge_token = await challengeFor(owner)
    const [tenantId, id] = challenge_token.split('.') as [string, string]
    await withTenant(t.database.db, tenantId, (trx) =>
      trx
        .updateTable('mfa_challenges')
        .set({ expires_at: sql`now() - interval '1 second'` })
        .where('id', '=', id)
        .execute(),
    )
    const res = await secondStep({ challenge_token, code: codeAt(owner.secret, 1) })
    expect(res.statusCode).toBe(401)
    expect(res.json().code).toBe('mfa_challenge_invalid')
    // the code was not spent on the expired challenge
    const fresh = await secondStep({
      challenge_token: await challengeFor(owner),
      code: codeAt(owner.secret, 1),
    })
    expect(fresh.statusCode).toBe(200)
  })

  it("refuses a challenge moved to another tenant, a tampered one, and another member's code", async () => {
    const a = await enrolledOwner()
    const b = await enrolledOwner()
    const tokenA = await challengeFor(a)
    const tokenB = await challengeFor(b)
    const moved = `${b.tenantId}${tokenA.slice(tokenA.indexOf('.'))}`
    const tampered = `${tokenA.slice(0, -1)}${tokenA.endsWith('A') ? 'B' : 'A'}`
    for (const challenge_token of [moved, tampered, 'garbage']) {
      const res = await secondStep({ challenge_token, code: codeAt(a.secret, 1) })
      expect(res.statusCode).toBe(401)
      expect(res.json().code).toBe('mfa_challenge_invalid')
    }
    // b's challenge only takes b's codes
    expect((await secondStep({ challenge_token: tokenB, code: codeAt(a.secret, 1) })).statusCode).toBe(401)
    expect((await secondStep({ challenge_token: tokenA, code: codeAt(a.secret, 1) })).statusCode).toBe(200)
  })

  it("stops checking a member's codes after ten wrong ones, but still takes a backup code", async () => {
    const owner = await enrolledOwner()
    for (let round = 0; round < 2; round++) {
      const challenge_token = await challengeFor(owner)
      for (let i = 0; i < 5; i++) await secondStep({ challenge_token, code: wrongCode(owner.secret) })
    }
    const challenge_token = await challengeFor(owner)
    const locked = await secondStep({ challenge_token, code: codeAt(owner.secret, 1) })
    expect(locked.statusCode).toBe(429)
    expect(locked.json().code).toBe('mfa_code_throttled')
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0)
    expect((await challengeRow(challenge_token)).attempts).toBe(0)
    const backup = await secondStep({ challenge_token, backup_code: owner.backupCodes[0] })
    expect(backup.statusCode).toBe(200)
  })

  it.each([
    ['a missing challenge_token', { challenge_token: undefined, code: '123456' }, 'challenge_token'],
    ['no code at all', {}, 'code'],
    ['both a code and a backup code', { code: '123456', backup_code: 'abcd-efgh-jkmn' }, 'backup_code'],
    ['an unknown field', { code: '123456', remember_me: true }, 'remember_me'],
    ['a numeric code', { code: 123456 }, 'code'],
    ['a 7-digit code', { code: '1234567' }, 'code'],
    ['a 5-digit code', { code: '12345' }, 'code'],
    ['a code with letters', { code: '12345a' }, 'code'],
    ['a malformed backup code', { backup_code: 'x' }, 'backup_code'],
    ['a numeric challenge_token', { challenge_token: 42, code: '123456' }, 'challenge_token'],
  ])('refuses %s with 400 naming the field, and writes nothing', async (_case, fields, field) => {
    const owner = await enrolledOwner()
    const challenge_token = await challengeFor(owner)
    const events = await eventCount()
    const res = await secondStep(JSON.parse(JSON.stringify({ challenge_token, ...fields })))
    expect(res.statusCode).toBe(400)
    expect(res.headers['content-type']).toMatch(/problem\+json/)
    expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field)
    expect((await challengeRow(challenge_token)).attempts).toBe(0)
    expect(await eventCount()).toBe(events)
    expect((await secondStep({ challenge_token, code: codeAt(owner.secret, 1) })).statusCode).toBe(200)
  })
})

describe('backup codes and turning MFA off', () => {
  it('replaces the backup codes for a current code; the old ones stop working', async () => {
    const owner = await enrolledOwner()
    const wrong = await post(
      '/api/v1/auth/mfa/backup-codes',
      { code: wrongCode(owner.secret) },
      bearer(owner.accessToken),
    )
    expect(wrong.statusCode).toBe(422)
    const res = await post(
      '/api/v1/auth/mfa/backup-codes',
      { code: codeAt(owner.secret, 1) },
      bearer(owner.accessToken),
    )
    expect(res.statusCode).toBe(200)
    expect(res.headers['cache-control']).toBe('no-store')
    const fresh: string[] = res.json().backup_codes
    expect(fresh).toHaveLength(10)
    const old = await secondStep({
      challenge_token: await challengeFor(owner),
      backup_code: owner.backupCodes[0],
    })
    expect(old.statusCode).toBe(401)
    const next = await secondStep({ challenge_token: await challengeFor(owner), backup_code: fresh[0] })
    expect(next.statusCode).toBe(200)
  })

  it('turns off with the password, and then the password alone signs in', async () => {
    const owner = await enrolledOwner()
    const wrong = await post(
      '/api/v1/auth/mfa/disable',
      { password: 'not my password at all' },
      bearer(owner.accessToken),
    )
    expect(wrong.statusCode).toBe(422)
    expect(wrong.json().code).toBe('password_incorrect')
    expect((await userRow(owner.userId)).totp_enabled_at).not.toBeNull()

    const off = await post(
      '/api/v1/auth/mfa/disable',
      { password: owner.password },
      bearer(owner.accessToken),
    )
    expect(off.statusCode).toBe(204)
    expect(await userRow(owner.userId)).toEqual({
      totp_secret: null,
      totp_enabled_at: null,
      totp_last_step: null,
      backup_codes: null,
    })
    expect(await eventsOf(owner.tenantId, 'mfa.removed')).toHaveLength(1)
    const login = await post('/api/v1/auth/login', { email: owner.email, password: owner.password })
    expect(login.json().status).toBe('ok')
    const again = await post(
      '/api/v1/auth/mfa/disable',
      { password: owner.password },
      bearer(owner.accessToken),
    )
    expect(again.statusCode).toBe(422)
    expect(again.json().code).toBe('mfa_not_enabled')
  })

  it('turns off with a current code', async () => {
    const owner = await enrolledOwner()
    const off = await post(
      '/api/v1/auth/mfa/disable',
      { code: codeAt(owner.secret, 1) },
      bearer(owner.accessToken),
    )
    expect(off.statusCode).toBe(204)
    expect((await userRow(owner.userId)).totp_secret).toBeNull()
  })

  it.each([
    ['neither code nor password', {}, 'code'],
    ['both code and password', { code: '123456', password: 'x' }, 'password'],
    ['a 7-digit code', { code: '1234567' }, 'code'],
    ['an unknown field', { code: '123456', user_id: 'someone' }, 'user_id'],
  ])('refuses to turn off with %s (400, nothing written)', async (_case, payload, field) => {
    const owner = await enrolledOwner()
    const events = await eventCount()
    const res = await post('/api/v1/auth/mfa/disable', payload, bearer(owner.accessToken))
    expect(res.statusCode).toBe(400)
    expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field)
    expect((await userRow(owner.userId)).totp_enabled_at).not.toBeNull()
    expect(await eventCount()).toBe(events)
  })

  it.each([
    ['a missing code', {}, 'code'],
    ['a 7-digit code', { code: '1234567' }, 'code'],
    ['a numeric code', { code: 123456 }, 'code'],
    ['an unknown field', { code: '123456', enabled: true }, 'enabled'],
  ])('refuses to confirm an enrolment with %s (400, nothing written)', async (_case, payload, field) => {
    const owner = await signUp(t)
    await post('/api/v1/auth/mfa/enrollment', undefined, bearer(owner.accessToken))
    const before = await userRow(owner.userId)
    const events = await eventCount()
    const res = await post('/api/v1/auth/mfa/enrollment/confirm', payload, bearer(owner.accessToken))
    expect(res.statusCode).toBe(400)
    expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field)
    expect(await userRow(owner.userId)).toEqual(before)
    expect(await eventCount()).toBe(events)
  })
})

describe("an administrator's reset", () => {
  it("removes a member's MFA, recorded, so the member signs in with the password and enrols again", async () => {
    const owner = await signUp(t)
    const member = await addMember(owner)
    await enrol(member.login.access_token)
    await challengeFor(member)

    const res = await post(
      `/api/v1/users/${member.userId}/actions/reset-mfa`,
      undefined,
      bearer(owner.accessToken),
    )
    expect(res.statusCode).toBe(204)
    expect((await userRow(member.userId)).totp_secret).toBeNull()
    const removed = await eventsOf(owner.tenantId, 'mfa.removed')
    expect(removed).toEqual([
      { user_id: member.userId, details: { by: owner.userId, reason: 'admin_reset' } },
    ])
    const login = await post('/api/v1/auth/login', { email: member.email, password: member.password })
    expect(login.json().status).toBe('ok')
  })

  it('is refused to members, for oneself, for a co-member of other tenants, and 404 across tenants', async () => {
    const owner = await enrolledOwner()
    const member = await addMember(owner)
    const byMember = await post(
      `/api/v1/users/${owner.userId}/actions/reset-mfa`,
      undefined,
      bearer(member.login.access_token),
    )
    expect(byMember.statusCode).toBe(403)
    const self = await post(
      `/api/v1/users/${owner.userId}/actions/reset-mfa`,
      undefined,
      bearer(owner.accessToken),
    )
    expect(self.statusCode).toBe(422)
    expect(self.json().code).toBe('cannot_change_self')

    const other = await enrolledOwner()
    const across = await post(
      `/api/v1/users/${other.userId}/actions/reset-mfa`,
      undefined,
      bearer(owner.accessToken),
    )
    expect(across.statusCode).toBe(404)

    // `other` joins owner's tenant too: owner may not weaken other's access to their own tenant
    await addUserToTenant(t.database.db, {
      tenantId: owner.tenantId,
      email: other.email,
      name: 'Other',
      roles: ['user'],
    })
    const shared = await post(
      `/api/v1/users/${other.userId}/actions/reset-mfa`,
      undefined,
      bearer(owner.accessToken),
    )
    expect(shared.statusCode).toBe(422)
    expect(shared.json().code).toBe('member_of_other_tenants')
    expect((await userRow(owner.userId)).totp_enabled_at).not.toBeNull()
    expect((await userRow(other.userId)).totp_enabled_at).not.toBeNull()
  })
})

describe('the tenant MFA policy', () => {
  const setPolicy = (token: string, policy: unknown) =>
    t.app.inject({
      method: 'PUT',
      url: '/api/v1/auth/mfa/policy',
      headers: bearer(token),
      payload: { policy },
    })

  it("'everyone' holds back members without MFA until they enrol", async () => {
    const owner = await enrolledOwner()
    expect((await get('/api/v1/auth/mfa/policy', bearer(owner.accessToken))).json()).toEqual({
      policy: 'optional',
    })
    const set = await setPolicy(owner.accessToken, 'everyone')
    expect(set.statusCode).toBe(200)
    expect(set.json()).toEqual({ policy: 'everyone' })

    const member = await addMember(owner)
    // the password still signs in, but the session can only enrol
    expect(member.login.status).toBe('ok')
    const token = member.login.access_token
    for (const url of ['/api/v1/security-events', '/api/v1/api-keys']) {
      const held = await get(url, bearer(token))
      expect(held.statusCode).toBe(403)
      expect(held.json().code).toBe('mfa_enrollment_required')
    }
    // who am I, my sessions and logging out stay open, so the app can lead the member to enrol
    for (const url of ['/api/v1/auth/me', '/api/v1/auth/sessions']) {
      expect((await get(url, bearer(token))).statusCode).toBe(200)
    }
    const status = await get('/api/v1/auth/mfa', bearer(token))
    expect(status.statusCode).toBe(200)
    expect(status.json()).toMatchObject({ enabled: false, policy: 'everyone', required: true })
    await enrol(token)
    expect((await get('/api/v1/auth/me', bearer(token))).statusCode).toBe(200)
    // the enrolled owner was never held back
    expect((await get('/api/v1/auth/me', bearer(owner.accessToken))).statusCode).toBe(200)
  })

  it('records who changed the policy in the security log', async () => {
    const owner = await signUp(t)
    expect((await setPolicy(owner.accessToken, 'optional')).statusCode).toBe(200)
    const events = await get(
      '/api/v1/security-events?type=tenant.mfa_policy_changed',
      bearer(owner.accessToken),
    )
    expect(events.json().data).toEqual([
      expect.objectContaining({
        type: 'tenant.mfa_policy_changed',
        user_id: owner.userId,
        details: { policy: 'optional' },
      }),
    ])
  })

  it("'admins' holds back administrators only, and applies to open sessions at once", async () => {
    const owner = await signUp(t)
    const member = await addMember(owner)
    expect((await setPolicy(owner.accessToken, 'admins')).statusCode).toBe(200)
    const held = await get('/api/v1/api-keys', bearer(owner.accessToken))
    expect(held.statusCode).toBe(403)
    expect(held.json().code).toBe('mfa_enrollment_required')
    expect((await get('/api/v1/api-keys', bearer(member.login.access_token))).statusCode).toBe(200)
    await enrol(owner.accessToken)
    expect((await get('/api/v1/api-keys', bearer(owner.accessToken))).statusCode).toBe(200)
  })

  it('is read and changed by administrators only, and only for their own tenant', async () => {
    const owner = await signUp(t)
    const other = await signUp(t)
    const member = await addMember(owner)
    expect((await get('/api/v1/auth/mfa/policy', bearer(member.login.access_token))).statusCode).toBe(403)
    expect((await setPolicy(member.login.access_token, 'optional')).statusCode).toBe(403)
    expect((await setPolicy(owner.accessToken, 'optional')).statusCode).toBe(200)
    const settingsOf = async (tenantId: string) =>
      (
        await withSystem(t.database.db, (trx) =>
          trx.selectFrom('tenants').select('settings').where('id', '=', tenantId).executeTakeFirstOrThrow(),
        )
      ).settings
    expect(await settingsOf(owner.tenantId)).toMatchObject({ mfa: 'optional' })
    expect(await settingsOf(other.tenantId)).not.toHaveProperty('mfa')
  })

  it.each([
    ['an unknown policy', { policy: 'sometimes' }, 'policy'],
    ['a missing policy', {}, 'policy'],
    ['a wrong type', { policy: true }, 'policy'],
    [
      'an unknown field',
      { policy: 'everyone', tenant_id: '00000000-0000-0000-0000-000000000001' },
      'tenant_id',
    ],
  ])('refuses %s with 400 naming the field, and writes nothing', async (_case, payload, field) => {
    const owner = await signUp(t)
    const res = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/auth/mfa/policy',
      headers: bearer(owner.accessToken),
      payload,
    })
    expect(res.statusCode).toBe(400)
    expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field)
    expect((await get('/api/v1/auth/mfa/policy', bearer(owner.accessToken))).json()).toEqual({
      policy: 'optional',
    })
  })
})
