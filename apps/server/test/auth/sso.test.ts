import { addUserToTenant, openSecret } from '@tessera/kernel'
import {
  createTestApp,
  type OidcAccount,
  startOidcProvider,
  type TestApp,
  type TestOidcProvider,
} from '@tessera/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, type SignedUp, sessionCookie, signUp } from './helpers.ts'

/**
 * End to end against a real OpenID provider (oidc-provider, @tessera/testing) on loopback:
 * Tessera redirects to it, the "browser" (fetch with a cookie jar) signs in there, and brings the
 * code back to Tessera.
 */

const PUBLIC_URL = 'https://erp.example.com'
const REDIRECT_URI = `${PUBLIC_URL}/api/v1/auth/sso/callback`
const CLIENT_ID = 'tessera'
const CLIENT_SECRET = 'a-provider-issued-client-secret-0123456789'

let idp: TestOidcProvider
let issuer: string
const account = (overrides: Partial<OidcAccount> = {}) => idp.account(overrides)

/** Follows the provider's redirects like a browser, until it sends the browser back to Tessera. */
async function browseProvider(authorizationUrl: string, accountId: string): Promise<string> {
  idp.signInNext(accountId)
  const jar = new Map<string, string>()
  let url = authorizationUrl
  for (let hop = 0; hop < 10; hop += 1) {
    if (url.startsWith(REDIRECT_URI)) return url
    const res = await fetch(url, {
      redirect: 'manual',
      headers: { cookie: [...jar].map(([name, value]) => `${name}=${value}`).join('; ') },
    })
    for (const setCookie of res.headers.getSetCookie()) {
      const pair = setCookie.split(';')[0] ?? ''
      const at = pair.indexOf('=')
      const [name, value] = [pair.slice(0, at), pair.slice(at + 1)]
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(setCookie)) jar.delete(name)
      else jar.set(name, value)
    }
    const location = res.headers.get('location')
    if (!location) throw new Error(`the provider answered ${res.status}: ${await res.text()}`)
    url = new URL(location, url).href
  }
  throw new Error('too many redirects at the provider')
}

let t: TestApp
beforeAll(async () => {
  idp = await startOidcProvider({
    redirectUri: REDIRECT_URI,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
  })
  issuer = idp.issuer
  t = await createTestApp({ env: { TESSERA_PUBLIC_URL: PUBLIC_URL, TESSERA_OUTBOUND_ALLOW: '127.0.0.1' } })
})
afterAll(async () => {
  await t?.close()
  await idp?.close()
})

const count = async (table: string, tenantId?: string) =>
  (
    await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}
      where ${tenantId ? sql`tenant_id = ${tenantId}` : sql`true`}`.execute(t.database.db)
  ).rows[0]?.n

function ssoBody(overrides: Record<string, unknown> = {}) {
  return {
    issuer,
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    allowed_domains: ['acme.example'],
    default_role: 'user',
    enabled: true,
    ...overrides,
  }
}

async function configure(owner: SignedUp, overrides: Record<string, unknown> = {}) {
  const res = await t.app.inject({
    method: 'PUT',
    url: '/api/v1/auth/sso',
    headers: bearer(owner.accessToken),
    payload: ssoBody(overrides),
  })
  if (res.statusCode !== 201 && res.statusCode !== 200)
    throw new Error(`configure: ${res.statusCode} ${res.body}`)
  return res
}

/** GET .../start: the redirect to the provider and the state cookie. */
async function start(slug: string) {
  const res = await t.app.inject({ method: 'GET', url: `/api/v1/auth/sso/${slug}/start` })
  expect(res.statusCode).toBe(302)
  const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? [])
  const state = setCookie.find((c) => c.startsWith('tessera_sso_state='))
  return {
    location: String(res.headers.location),
    stateCookie: state?.split(';')[0] ?? '',
    setCookie: state ?? '',
  }
}

/** Brings the provider's redirect back to Tessera, as the browser would, with its cookie. */
function callback(callbackUrl: string, cookie: string) {
  const url = new URL(callbackUrl)
  return t.app.inject({ method: 'GET', url: `${url.pathname}${url.search}`, headers: { cookie } })
}

/** The whole round trip for one account; returns Tessera's answer to the callback. */
async function signInThroughProvider(slug: string, accountId: string) {
  const { location, stateCookie } = await start(slug)
  return callback(await browseProvider(location, accountId), stateCookie)
}

describe('SSO provider settings', () => {
  it('saves the provider after checking its discovery, keeps the secret sealed and never returns it', async () => {
    const owner = await signUp(t)
    const put = await configure(owner)
    expect(put.statusCode).toBe(201)
    expect(put.json()).toMatchObject({
      issuer,
      client_id: CLIENT_ID,
      client_secret_set: true,
      allowed_domains: ['acme.example'],
      default_role: 'user',
      enabled: true,
      redirect_uri: REDIRECT_URI,
    })
    expect(put.body).not.toContain(CLIENT_SECRET)

    const get = await t.app.inject({
      method: 'GET',
      url: '/api/v1/auth/sso',
      headers: bearer(owner.accessToken),
    })
    expect(get.statusCode).toBe(200)
    expect(get.json()).toEqual(put.json())
    expect(get.body).not.toContain(CLIENT_SECRET)
    expect(get.json()).not.toHaveProperty('client_secret')

    const stored = (
      await sql<{
        client_secret: string
      }>`select client_secret from sso_providers where tenant_id = ${owner.tenantId}`.execute(t.database.db)
    ).rows[0]?.client_secret as string
    expect(stored).not.toContain(CLIENT_SECRET)
    expect(stored).toMatch(/^v1\./)
    expect(openSecret(t.identity.sealingKey, stored, `sso:${owner.tenantId}`)).toBe(CLIENT_SECRET)
    // bound to its tenant: the same value does not open for another one
    expect(() =>
      openSecret(t.identity.sealingKey, stored, 'sso:00000000-0000-0000-0000-000000000000'),
    ).toThrow()

    // an update may leave the secret out: the stored one is kept
    const update = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/auth/sso',
      headers: bearer(owner.accessToken),
      payload: ssoBody({ client_secret: undefined, allowed_domains: ['acme.example', 'acme.test'] }),
    })
    expect(update.statusCode).toBe(200)
    expect(update.json().allowed_domains).toEqual(['acme.example', 'acme.test'])
    expect(await count('sso_providers', owner.tenantId)).toBe(1)
  })

  it("keeps one tenant's provider invisible to another (404) and to members who are not admins (403)", async () => {
    const a = await signUp(t)
    const b = await signUp(t)
    await configure(a)
    for (const method of ['GET', 'DELETE'] as const) {
      const res = await t.app.inject({ method, url: '/api/v1/auth/sso', headers: bearer(b.accessToken) })
      expect(res.statusCode).toBe(404)
      expect(res.json().code).toBe('sso_not_configured')
      expect(res.body).not.toContain(issuer)
    }
    expect(await count('sso_providers', a.tenantId)).toBe(1)

    const member = await signInThroughProvider(a.tenantSlug, account())
    const cookie = sessionCookie(member.headers['set-cookie'])
    const asMember = await t.app.inject({ method: 'GET', url: '/api/v1/auth/sso', headers: { cookie } })
    expect(asMember.statusCode).toBe(403)
  })

  it('removes the provider; sign-in then answers 404 like an unknown tenant', async () => {
    const owner = await signUp(t)
    await configure(owner)
    const del = await t.app.inject({
      method: 'DELETE',
      url: '/api/v1/auth/sso',
      headers: bearer(owner.accessToken),
    })
    expect(del.statusCode).toBe(204)
    expect(await count('sso_providers', owner.tenantId)).toBe(0)
    for (const slug of [owner.tenantSlug, 'no-such-tenant-anywhere']) {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/auth/sso/${slug}/start` })
      expect(res.statusCode).toBe(404)
      expect(res.json().code).toBe('sso_not_configured')
    }
  })

  it('does not start a sign-in while the provider is disabled', async () => {
    const owner = await signUp(t)
    await configure(owner, { enabled: false })
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/auth/sso/${owner.tenantSlug}/start` })
    expect(res.statusCode).toBe(404)
  })

  it.each([
    ['a missing issuer', { issuer: undefined }, 'issuer', 'required'],
    ['a non-http issuer', { issuer: 'ftp://idp.example.com' }, 'issuer', 'pattern'],
    ['an issuer that is not a URL', { issuer: 'https://' }, 'issuer', undefined],
    ['an issuer with a query', { issuer: 'ISSUER?tenant=1' }, 'issuer', 'format'],
    ['an issuer serving no discovery document', { issuer: 'ISSUER/nowhere' }, 'issuer', 'discovery_failed'],
    ['an issuer on a metadata address', { issuer: 'http://169.254.169.254' }, 'issuer', 'outbound_refused'],
    ['an issuer in decimal loopback', { issuer: 'http://2130706434/' }, 'issuer', 'outbound_refused'],
    [
      'plain http to a host not allow-listed',
      { issuer: 'http://idp.example.com' },
      'issuer',
      'outbound_refused',
    ],
    ['an empty client_id', { client_id: '' }, 'client_id', undefined],
    ['a missing client_secret on first setup', { client_secret: undefined }, 'client_secret', 'required'],
    ['no allowed domain', { allowed_domains: [] }, 'allowed_domains', undefined],
    ['an uppercase domain', { allowed_domains: ['ACME.example'] }, 'allowed_domains[0]', undefined],
    [
      'an address instead of a domain',
      { allowed_domains: ['@acme.example'] },
      'allowed_domains[0]',
      undefined,
    ],
    [
      'a repeated domain',
      { allowed_domains: ['acme.example', 'acme.example'] },
      'allowed_domains',
      undefined,
    ],
    ['owner as default role', { default_role: 'owner' }, 'default_role', undefined],
    ['a malformed role', { default_role: 'Power User' }, 'default_role', undefined],
    ['a wrong type', { enabled: 'yes' }, 'enabled', undefined],
    [
      'a server-owned field',
      { tenant_id: '00000000-0000-0000-0000-000000000001' },
      'tenant_id',
      'unknown_field',
    ],
  ])('refuses %s with 400 naming the field, and writes nothing', async (_case, overrides, field, code) => {
    const owner = await signUp(t)
    const body = JSON.parse(JSON.stringify(ssoBody(overrides)).replaceAll('ISSUER', issuer)) as Record<
      string,
      unknown
    >
    const res = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/auth/sso',
      headers: bearer(owner.accessToken),
      payload: body,
    })
    expect(res.statusCode).toBe(400)
    expect(res.headers['content-type']).toMatch(/problem\+json/)
    const errors = res.json().errors as { field: string; code: string }[]
    expect(errors.map((e) => e.field)).toContain(field)
    if (code) expect(errors.find((e) => e.field === field)?.code).toBe(code)
    expect(res.body).not.toContain(CLIENT_SECRET)
    expect(await count('sso_providers', owner.tenantId)).toBe(0)
  })

  it('leaves the saved provider unchanged when an update is refused', async () => {
    const owner = await signUp(t)
    const saved = (await configure(owner)).json()
    const res = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/auth/sso',
      headers: bearer(owner.accessToken),
      payload: ssoBody({ issuer: `${issuer}/nowhere`, allowed_domains: ['other.example'] }),
    })
    expect(res.statusCode).toBe(400)
    const get = await t.app.inject({
      method: 'GET',
      url: '/api/v1/auth/sso',
      headers: bearer(owner.accessToken),
    })
    expect(get.json()).toEqual(saved)
  })
})

describe('SSO sign-in', () => {
  it('sends the browser to the provider with PKCE (S256), state and nonce, the state also in an HttpOnly cookie', async () => {
    const owner = await signUp(t)
    await configure(owner)
    const { location, setCookie, stateCookie } = await start(owner.tenantSlug)
    const url = new URL(location)
    expect(`${url.origin}`).toBe(issuer)
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      response_type: 'code',
      code_challenge_method: 'S256',
      scope: 'openid email profile',
    })
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(url.searchParams.get('nonce')).toMatch(/^[A-Za-z0-9_-]{20,}$/)
    expect(stateCookie).toBe(`tessera_sso_state=${url.searchParams.get('state')}`)
    expect(setCookie).toMatch(/HttpOnly/)
    expect(setCookie).toMatch(/SameSite=Lax/)
    expect(setCookie).toMatch(/Max-Age=600/)
    expect(location).not.toContain(CLIENT_SECRET)
  })

  it('creates the user and membership just in time at first sign-in, and the session works', async () => {
    const owner = await signUp(t)
    await configure(owner)
    const who = account({ name: 'Grace Hopper' })
    const users = await count('users')
    const res = await signInThroughProvider(owner.tenantSlug, who)
    expect(res.statusCode).toBe(302)
    expect(res.headers.location).toBe('/')
    const cookie = sessionCookie(res.headers['set-cookie'])
    expect(cookie).toMatch(/^tessera_session=/)
    expect(([] as string[]).concat(res.headers['set-cookie'] ?? []).join('\n')).toMatch(/tessera_sso_state=;/)
    expect(await count('users')).toBe((users as number) + 1)

    const me = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } })
    expect(me.statusCode).toBe(200)
    expect(me.json()).toMatchObject({
      user: { email: idp.accounts.get(who)?.email, name: 'Grace Hopper', email_verified: true },
      tenant: { id: owner.tenantId },
      roles: ['user'],
      authenticated_by: 'cookie',
    })
    const sessions = await sql<{ auth_method: string }>`select auth_method from sessions
      where user_id = ${me.json().user.id}`.execute(t.database.db)
    expect(sessions.rows).toEqual([{ auth_method: 'sso' }])
    const events = await sql<{ type: string; details: Record<string, unknown> }>`select type, details
      from security_events where tenant_id = ${owner.tenantId} and user_id = ${me.json().user.id}`.execute(
      t.database.db,
    )
    expect(events.rows).toEqual([
      expect.objectContaining({
        type: 'login.succeeded',
        details: expect.objectContaining({ method: 'sso', created_user: true, created_membership: true }),
      }),
    ])
    const passwordless = await sql<{ password_hash: string | null }>`select password_hash from users
      where id = ${me.json().user.id}`.execute(t.database.db)
    expect(passwordless.rows[0]?.password_hash).toBeNull()
  })

  it('reuses the user and membership at the next sign-in, with a new session', async () => {
    const owner = await signUp(t)
    await configure(owner)
    const who = account()
    const first = await signInThroughProvider(owner.tenantSlug, who)
    const [users, members] = [await count('users'), await count('memberships', owner.tenantId)]
    const second = await signInThroughProvider(owner.tenantSlug, who)
    expect(second.statusCode).toBe(302)
    expect([await count('users'), await count('memberships', owner.tenantId)]).toEqual([users, members])
    const me = async (cookie: string) =>
      (await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } })).json()
    const [a, b] = [
      await me(sessionCookie(first.headers['set-cookie'])),
      await me(sessionCookie(second.headers['set-cookie'])),
    ]
    expect(b.user.id).toBe(a.user.id)
    expect(b.session_id).not.toBe(a.session_id)
  })

  it("never links another tenant's existing account on the provider's word alone; an admin adds them first", async () => {
    const elsewhere = await signUp(t, { email: `${account()}@acme.example` })
    const owner = await signUp(t)
    await configure(owner)
    const id = account({ email: elsewhere.email })
    const before = [await count('users'), await count('memberships'), await count('sessions')]
    const refused = await signInThroughProvider(owner.tenantSlug, id)
    expect(refused.statusCode).toBe(403)
    expect(refused.json().code).toBe('sso_account_exists')
    expect(sessionCookie(refused.headers['set-cookie'])).toBe('')
    expect([await count('users'), await count('memberships'), await count('sessions')]).toEqual(before)

    await addUserToTenant(t.database.db, {
      tenantId: owner.tenantId,
      email: elsewhere.email,
      name: 'Joined',
      roles: ['user'],
    })
    const res = await signInThroughProvider(owner.tenantSlug, id)
    expect(res.statusCode).toBe(302)
    const me = await t.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { cookie: sessionCookie(res.headers['set-cookie']) },
    })
    expect(me.json()).toMatchObject({
      user: { id: elsewhere.userId },
      tenant: { id: owner.tenantId },
      roles: ['user'],
    })
  })

  const refusals: [string, Partial<OidcAccount>, number, string][] = [
    ['a domain that is not allowed', { email: 'mallory@evil.example' }, 403, 'sso_domain_not_allowed'],
    ['a look-alike subdomain', { email: 'mallory@acme.example.evil.example' }, 403, 'sso_domain_not_allowed'],
    ['an unverified email', { email_verified: false }, 403, 'sso_email_unverified'],
  ]
  it.each(refusals)(
    'refuses %s with a clear problem, and creates nothing',
    async (_case, claims, status, code) => {
      const owner = await signUp(t)
      await configure(owner)
      const before = [await count('users'), await count('memberships'), await count('sessions')]
      const res = await signInThroughProvider(owner.tenantSlug, account(claims))
      expect(res.statusCode).toBe(status)
      expect(res.json().code).toBe(code)
      expect(sessionCookie(res.headers['set-cookie'])).toBe('')
      expect([await count('users'), await count('memberships'), await count('sessions')]).toEqual(before)
      const failed = await sql<{ details: Record<string, unknown> }>`select details from security_events
      where tenant_id = ${owner.tenantId} and type = 'login.failed'`.execute(t.database.db)
      expect(failed.rows.map((r) => r.details.method)).toEqual(['sso'])
    },
  )

  it('refuses a tampered state or a callback without the browser state cookie, then still accepts the real one', async () => {
    const owner = await signUp(t)
    await configure(owner)
    const { location, stateCookie } = await start(owner.tenantSlug)
    const back = await browseProvider(location, account())
    const state = new URL(back).searchParams.get('state') as string
    const tampered = `${state.slice(0, -1)}${state.endsWith('A') ? 'B' : 'A'}`
    const before = [await count('users'), await count('sessions')]
    for (const [url, cookie] of [
      [back.replace(state, tampered), stateCookie.replace(state, tampered)],
      [back.replace(state, tampered), stateCookie],
      [back, ''],
      [back, 'tessera_sso_state=someone-elses-state'],
      [back.replace(/state=[^&]*/, ''), stateCookie],
    ] as const) {
      const res = await callback(url, cookie)
      expect(res.statusCode).toBe(400)
      expect(res.json().code).toBe('sso_state_invalid')
    }
    expect([await count('users'), await count('sessions')]).toEqual(before)
    expect((await callback(back, stateCookie)).statusCode).toBe(302)
  })

  it('refuses a replayed callback: each state works once', async () => {
    const owner = await signUp(t)
    await configure(owner)
    const { location, stateCookie } = await start(owner.tenantSlug)
    const back = await browseProvider(location, account())
    expect((await callback(back, stateCookie)).statusCode).toBe(302)
    const sessions = await count('sessions')
    const replay = await callback(back, stateCookie)
    expect(replay.statusCode).toBe(400)
    expect(replay.json().code).toBe('sso_state_invalid')
    expect(await count('sessions')).toBe(sessions)
  })

  it('refuses an ID token whose nonce is not the one sent', async () => {
    const owner = await signUp(t)
    await configure(owner)
    const { location, stateCookie } = await start(owner.tenantSlug)
    const altered = new URL(location)
    altered.searchParams.set('nonce', 'a-nonce-the-attacker-chose-1234567890')
    const users = await count('users')
    const res = await callback(await browseProvider(altered.href, account()), stateCookie)
    expect(res.statusCode).toBe(401)
    expect(res.json().code).toBe('sso_failed')
    expect(await count('users')).toBe(users)
  })

  it('refuses a disabled member', async () => {
    const owner = await signUp(t)
    await configure(owner)
    const who = account()
    const first = await signInThroughProvider(owner.tenantSlug, who)
    const me = await t.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { cookie: sessionCookie(first.headers['set-cookie']) },
    })
    const disable = await t.app.inject({
      method: 'POST',
      url: `/api/v1/users/${me.json().user.id}/actions/disable`,
      headers: bearer(owner.accessToken),
    })
    expect(disable.statusCode).toBe(200)
    const sessions = await count('sessions')
    const res = await signInThroughProvider(owner.tenantSlug, who)
    expect(res.statusCode).toBe(403)
    expect(res.json().code).toBe('membership_disabled')
    expect(await count('sessions')).toBe(sessions)
  })
})

describe('outbound guard on the issuer', () => {
  it('refuses an issuer on 127.0.0.1 when it is not allow-listed, without calling it', async () => {
    const strict = await createTestApp({ env: { TESSERA_PUBLIC_URL: PUBLIC_URL } })
    try {
      const owner = await signUp(strict)
      const before = idp.requests()
      const res = await strict.app.inject({
        method: 'PUT',
        url: '/api/v1/auth/sso',
        headers: bearer(owner.accessToken),
        payload: ssoBody(),
      })
      expect(res.statusCode).toBe(400)
      expect(res.json().errors).toEqual([
        expect.objectContaining({
          field: 'issuer',
          code: 'outbound_refused',
          message: expect.stringMatching(/loopback/),
        }),
      ])
      expect(idp.requests()).toBe(before)
      const rows = await sql<{ n: number }>`select count(*)::int as n from sso_providers`.execute(
        strict.database.db,
      )
      expect(rows.rows[0]?.n).toBe(0)
    } finally {
      await strict.close()
    }
  })
})
