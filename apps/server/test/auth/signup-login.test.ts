import { createTestApp, type TestApp } from '@tessera/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, STRONG_PASSWORD, sessionCookie, signUp, signupBody } from './helpers.ts'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

const count = async (table: string) =>
  (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(t.database.db))
    .rows[0]?.n

describe('sign-up', () => {
  it('creates tenant, company and owner in one go and signs the owner in', async () => {
    const body = signupBody()
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/signup', payload: body })
    expect(res.statusCode).toBe(201)
    const json = res.json()
    expect(json).toMatchObject({
      status: 'ok',
      user: { email: body.email, name: 'Ada Lovelace' },
      company: { currency: 'EUR' },
      token_type: 'Bearer',
      expires_in: 900,
    })
    expect(json.password_strength.score).toBeGreaterThanOrEqual(3)
    expect(json).not.toHaveProperty('cookie_token')
    const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).join('\n')
    expect(cookie).toMatch(/tessera_session=[^;]+;.*HttpOnly/)
    expect(cookie).toMatch(/SameSite=Lax/)

    const me = await t.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: bearer(json.access_token),
    })
    expect(me.statusCode).toBe(200)
    expect(me.json()).toMatchObject({
      user: { email: body.email },
      tenant: { id: json.tenant.id },
      roles: ['owner'],
    })
  })

  it.each([
    ['a malformed email', { email: 'not-an-email' }, 'email'],
    ['a short password', { password: 'short' }, 'password'],
    ['a common password', { password: '1QAZ2wsx3edc' }, 'password'],
    [
      'a password containing the email',
      { email: 'grace.hopper@example.com', password: 'grace.hopper-rocks-1906' },
      'password',
    ],
    ['an unknown field', { role: 'admin' }, 'role'],
    ['a server-owned field', { tenant_id: '00000000-0000-0000-0000-000000000001' }, 'tenant_id'],
    ['a wrong type', { name: 12 }, 'name'],
    ['a missing company', { company: undefined }, 'company'],
    ['a bad currency', { company: { currency: 'XYZ' } }, 'company.currency'],
  ])('refuses %s with 400 naming the field, and writes nothing', async (_case, overrides, field) => {
    const before = [await count('tenants'), await count('users')]
    const body = JSON.parse(JSON.stringify(signupBody(overrides)))
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/signup', payload: body })
    expect(res.statusCode).toBe(400)
    expect(res.headers['content-type']).toMatch(/problem\+json/)
    expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field)
    expect([await count('tenants'), await count('users')]).toEqual(before)
  })

  it('refuses a taken tenant slug with 409 and leaves no user behind', async () => {
    const first = await signUp(t)
    const users = await count('users')
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/signup',
      payload: signupBody({ tenant_slug: first.tenantSlug }),
    })
    expect(res.statusCode).toBe(409)
    expect(res.json().errors[0].field).toBe('tenant_slug')
    expect(await count('users')).toBe(users)
  })

  it('refuses an oversized body with 413', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/signup',
      payload: signupBody({ name: 'x'.repeat(2_000_000) }),
    })
    expect(res.statusCode).toBe(413)
  })
})

describe('login', () => {
  it('signs in with the right password and answers unknown email and wrong password alike', async () => {
    const owner = await signUp(t)
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: owner.email.toUpperCase(), password: owner.password },
    })
    expect(ok.statusCode).toBe(200)
    expect(ok.json()).toMatchObject({
      status: 'ok',
      tenant: { id: owner.tenantId },
      user: { id: owner.userId },
    })
    expect(ok.json().session_id).not.toBe(owner.sessionId)

    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: owner.email, password: 'not the password at all' },
    })
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: `nobody-${Date.now()}@example.com`, password: 'not the password at all' },
    })
    expect(wrong.statusCode).toBe(401)
    expect(unknown.statusCode).toBe(401)
    const strip = (body: { request_id: string }) => ({ ...body, request_id: undefined })
    expect(strip(wrong.json())).toEqual(strip(unknown.json()))
    expect(wrong.json().code).toBe('invalid_credentials')
  })

  it('records login success and failure as security events the owner can list', async () => {
    const owner = await signUp(t)
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: owner.email, password: 'wrong password!!' },
    })
    const events = await t.app.inject({
      method: 'GET',
      url: '/api/v1/security-events',
      headers: bearer(owner.accessToken),
    })
    expect(events.statusCode).toBe(200)
    const types = events.json().data.map((e: { type: string }) => e.type)
    expect(types).toEqual(expect.arrayContaining(['signup', 'login.failed']))
    expect(events.body).not.toContain(STRONG_PASSWORD)
    expect(events.body).not.toContain('wrong password!!')
  })

  it('asks to choose when the user belongs to several tenants, then signs in to the one named', async () => {
    const owner = await signUp(t)
    const second = await signUp(t)
    // Make the first owner a member of the second tenant too.
    const { addUserToTenant } = await import('@tessera/kernel')
    await addUserToTenant(t.database.db, {
      tenantId: second.tenantId,
      email: owner.email,
      name: 'Ada',
      roles: ['user'],
    })
    const choose = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: owner.email, password: owner.password },
    })
    expect(choose.json().status).toBe('choose_tenant')
    expect(
      choose
        .json()
        .tenants.map((x: { slug: string }) => x.slug)
        .sort(),
    ).toEqual([owner.tenantSlug, second.tenantSlug].sort())
    const chosen = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: owner.email, password: owner.password, tenant: second.tenantSlug },
    })
    expect(chosen.json()).toMatchObject({ status: 'ok', tenant: { id: second.tenantId } })
    const me = await t.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: bearer(chosen.json().access_token),
    })
    expect(me.json().roles).toEqual(['user'])
  })

  it.each([
    ['a missing password', { email: 'a@example.com' }, 'password'],
    ['a malformed email', { email: 'a@', password: 'x' }, 'email'],
    ['an unknown field', { email: 'a@example.com', password: 'x', remember: true }, 'remember'],
    ['a wrong type', { email: 'a@example.com', password: 42 }, 'password'],
  ])('refuses %s with 400', async (_case, payload, field) => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload })
    expect(res.statusCode).toBe(400)
    expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field)
  })
})

describe('sessions and tokens', () => {
  it('rotates refresh tokens and revokes the session when a used one comes back', async () => {
    const owner = await signUp(t)
    const first = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refresh_token: owner.refreshToken },
    })
    expect(first.statusCode).toBe(200)
    const next = first.json()
    expect(next.refresh_token).not.toBe(owner.refreshToken)
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(next.access_token) }))
        .statusCode,
    ).toBe(200)

    const replay = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refresh_token: owner.refreshToken },
    })
    expect(replay.statusCode).toBe(401)
    // the whole session is gone: the new tokens stop working too
    const after = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refresh_token: next.refresh_token },
    })
    expect(after.statusCode).toBe(401)
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(next.access_token) }))
        .statusCode,
    ).toBe(401)
  })

  it.each([
    ['garbage', 'garbage'],
    ['a tampered signature', 'TAMPER'],
    ['a token for another tenant', 'OTHER'],
  ])('rejects %s with 401', async (_case, kind) => {
    const owner = await signUp(t)
    let token = kind
    if (kind === 'TAMPER') token = `${owner.accessToken.slice(0, -4)}AAAA`
    if (kind === 'OTHER') {
      const other = await createTestApp() // another installation: another signing key
      token = (await signUp(other)).accessToken
      await other.close()
    }
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(token) })
    expect(res.statusCode).toBe(401)
  })

  it('lists sessions, revokes one, and logs out everywhere', async () => {
    const owner = await signUp(t)
    const second = (
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        headers: { 'user-agent': 'Phone/1.0' },
        payload: { email: owner.email, password: owner.password },
      })
    ).json()
    const list = await t.app.inject({
      method: 'GET',
      url: '/api/v1/auth/sessions',
      headers: bearer(owner.accessToken),
    })
    expect(list.json().data).toHaveLength(2)
    expect(list.json().data.find((s: { current: boolean }) => s.current).id).toBe(owner.sessionId)
    expect(list.json().data.map((s: { user_agent: string }) => s.user_agent)).toContain('Phone/1.0')

    const revoke = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/auth/sessions/${second.session_id}`,
      headers: bearer(owner.accessToken),
    })
    expect(revoke.statusCode).toBe(204)
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(second.access_token) }))
        .statusCode,
    ).toBe(401)

    const all = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sessions/revoke-all',
      headers: bearer(owner.accessToken),
    })
    expect(all.json()).toEqual({ revoked: 1 })
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(owner.accessToken) }))
        .statusCode,
    ).toBe(401)
  })

  it("answers 404 for another tenant's session id", async () => {
    const a = await signUp(t)
    const b = await signUp(t)
    const res = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/auth/sessions/${b.sessionId}`,
      headers: bearer(a.accessToken),
    })
    expect(res.statusCode).toBe(404)
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(b.accessToken) }))
        .statusCode,
    ).toBe(200)
  })

  it('logout ends the session', async () => {
    const owner = await signUp(t)
    const out = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: bearer(owner.accessToken),
    })
    expect(out.statusCode).toBe(204)
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(owner.accessToken) }))
        .statusCode,
    ).toBe(401)
    const refresh = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refresh_token: owner.refreshToken },
    })
    expect(refresh.statusCode).toBe(401)
  })
})

describe('the web session cookie', () => {
  it('authenticates reads, and unsafe methods only with the CSRF header', async () => {
    const owner = await signUp(t)
    const me = await t.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { cookie: owner.cookie },
    })
    expect(me.statusCode).toBe(200)
    expect(me.json().csrf_token).toBe(owner.csrfToken)

    const forged = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie: owner.cookie },
    })
    expect(forged.statusCode).toBe(401)
    expect(forged.json().code).toBe('csrf_token_invalid')
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie: owner.cookie, 'x-csrf-token': 'guess' },
    })
    expect(wrong.statusCode).toBe(401)

    const out = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrfToken },
    })
    expect(out.statusCode).toBe(204)
    expect(sessionCookie(out.headers['set-cookie'])).toBe('tessera_session=')
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: owner.cookie } }))
        .statusCode,
    ).toBe(401)
  })

  it('is Secure and __Host- prefixed behind https', async () => {
    const https = await createTestApp({ env: { TESSERA_TRUST_PROXY: 'true' } })
    try {
      const res = await https.app.inject({
        method: 'POST',
        url: '/api/v1/auth/signup',
        headers: { 'x-forwarded-proto': 'https' },
        payload: signupBody(),
      })
      const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).join('\n')
      expect(cookie).toMatch(/^__Host-tessera_session=[^;]+;.*Secure/m)
      expect(cookie).toMatch(/Path=\//)
    } finally {
      await https.close()
    }
  })
})
