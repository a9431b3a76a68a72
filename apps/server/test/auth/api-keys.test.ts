import { addUserToTenant, withTenant } from '@tessera/kernel'
import { createTestApp, type TestApp } from '@tessera/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, type SignedUp, STRONG_PASSWORD, signUp } from './helpers.ts'

let t: TestApp
/** Everything the server logged during this file, at trace level. */
const logged: string[] = []

beforeAll(async () => {
  t = await createTestApp({ env: { LOG_LEVEL: 'trace' } })
  captureLogs(t)
})
afterAll(() => t.close())

/**
 * Pino writes to its destination stream, shared by every child logger; replacing that stream's
 * write keeps the log lines here instead of on the test's stdout.
 */
function captureLogs(test: TestApp) {
  let proto: object | null = test.app.log
  while (proto) {
    const symbol = Object.getOwnPropertySymbols(proto).find((s) => s.description === 'pino.stream')
    if (symbol) {
      const stream = (proto as Record<symbol, { write(line: string): boolean }>)[symbol]
      if (!stream) break
      stream.write = (line: string) => {
        logged.push(line)
        return true
      }
      return
    }
    proto = Object.getPrototypeOf(proto)
  }
  throw new Error('pino destination stream not found')
}

const inFuture = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString()

const createKey = (token: string, payload: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: bearer(token), payload })
const listKeys = (token: string) =>
  t.app.inject({ method: 'GET', url: '/api/v1/api-keys', headers: bearer(token) })
const revokeKey = (token: string, id: string) =>
  t.app.inject({ method: 'DELETE', url: `/api/v1/api-keys/${id}`, headers: bearer(token) })
const me = (token: string) => t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(token) })

/** Creates a key through the API and returns the one response that shows it. */
async function newKey(token: string, payload: Record<string, unknown> = {}) {
  const res = await createKey(token, { name: 'Integration', roles: ['owner'], ...payload })
  if (res.statusCode !== 201) throw new Error(`key creation failed: ${res.statusCode} ${res.body}`)
  return res.json() as { id: string; key: string; prefix: string; roles: string[] }
}

/** A member of the owner's tenant with the given roles, signed in with a bearer token. */
async function addMember(owner: SignedUp, roles: string[]) {
  const email = `member-${Math.random().toString(36).slice(2)}@example.com`
  const { user } = await addUserToTenant(t.database.db, {
    tenantId: owner.tenantId,
    email,
    name: 'Member',
    password: STRONG_PASSWORD,
    roles,
  })
  const login = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password: STRONG_PASSWORD },
  })
  if (login.statusCode !== 200) throw new Error(`login failed: ${login.statusCode} ${login.body}`)
  return { userId: user.id, token: login.json().access_token as string }
}

const keyRow = (tenantId: string, id: string) =>
  withTenant(t.database.db, tenantId, (trx) =>
    trx.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst(),
  )

const eventsOf = (tenantId: string, type: string) =>
  withTenant(t.database.db, tenantId, (trx) =>
    trx.selectFrom('security_events').selectAll().where('type', '=', type).execute(),
  )

describe('creating and using an API key', () => {
  it('shows the key once, authenticates it as a bearer and records its use', async () => {
    const owner = await signUp(t)
    const expiresAt = inFuture(30)
    const res = await createKey(owner.accessToken, {
      name: 'CI deploy',
      roles: ['owner'],
      expires_at: expiresAt,
    })
    expect(res.statusCode).toBe(201)
    expect(res.headers['cache-control']).toBe('no-store')
    const created = res.json()
    expect(created).toMatchObject({ name: 'CI deploy', roles: ['owner'], expires_at: expiresAt })
    expect(created.key).toMatch(/^tsk_[0-9a-f]{32}_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/)
    expect(created.key.startsWith(created.prefix)).toBe(true)
    expect(created.prefix).toMatch(/^tsk_[0-9a-f]{12}$/)

    const row = await keyRow(owner.tenantId, created.id)
    expect(row?.secret_hash).toMatch(/^[0-9a-f]{64}$/)
    expect(JSON.stringify(row)).not.toContain(created.key.slice(-43))
    expect(row?.last_used_at).toBeNull()

    const used = await me(created.key)
    expect(used.statusCode).toBe(200)
    expect(used.json()).toMatchObject({
      user: { id: owner.userId },
      tenant: { id: owner.tenantId },
      roles: ['owner'],
      session_id: null,
      authenticated_by: 'api_key',
    })
    expect(used.json()).not.toHaveProperty('csrf_token')

    const listed = (await listKeys(owner.accessToken)).json().data
    expect(listed).toHaveLength(1)
    expect(listed[0]).toMatchObject({ id: created.id, prefix: created.prefix, user_id: owner.userId })
    expect(listed[0].last_used_at).not.toBeNull()
    expect(listed[0]).not.toHaveProperty('key')
    expect(listed[0]).not.toHaveProperty('secret_hash')
  })

  it('writes the use at most once a minute per key, then again once the minute has passed', async () => {
    const owner = await signUp(t)
    const key = await newKey(owner.accessToken)
    for (let i = 0; i < 3; i++) expect((await me(key.key)).statusCode).toBe(200)
    const once = await eventsOf(owner.tenantId, 'api_key.used')
    expect(once).toHaveLength(1)
    expect(once[0]).toMatchObject({ api_key_id: key.id, user_id: owner.userId })

    await withTenant(t.database.db, owner.tenantId, (trx) =>
      trx
        .updateTable('api_keys')
        .set({ last_used_at: sql`now() - interval '2 minutes'` })
        .where('id', '=', key.id)
        .execute(),
    )
    expect((await me(key.key)).statusCode).toBe(200)
    expect(await eventsOf(owner.tenantId, 'api_key.used')).toHaveLength(2)
  })

  it('records created and revoked events, and never the key, in events, lists or logs', async () => {
    const owner = await signUp(t)
    const key = await newKey(owner.accessToken)
    await me(key.key)
    const list = await listKeys(key.key)
    expect(list.statusCode).toBe(200)
    expect((await revokeKey(owner.accessToken, key.id)).statusCode).toBe(204)

    const events = await t.app.inject({
      method: 'GET',
      url: '/api/v1/security-events',
      headers: bearer(owner.accessToken),
    })
    const types = events.json().data.map((e: { type: string }) => e.type)
    expect(types).toEqual(expect.arrayContaining(['api_key.created', 'api_key.used', 'api_key.revoked']))
    const secret = key.key.slice(-43)
    for (const text of [events.body, list.body, logged.join('\n')]) {
      expect(text).not.toContain(secret)
      expect(text).not.toContain(key.key)
    }
    expect(logged.length).toBeGreaterThan(0)
  })
})

describe('refused keys', () => {
  it('a revoked key is refused on the next request; revoking again is 404', async () => {
    const owner = await signUp(t)
    const key = await newKey(owner.accessToken)
    expect((await me(key.key)).statusCode).toBe(200)
    expect((await revokeKey(owner.accessToken, key.id)).statusCode).toBe(204)
    const refused = await me(key.key)
    expect(refused.statusCode).toBe(401)
    expect(refused.json().code).toBe('invalid_token')
    expect((await revokeKey(owner.accessToken, key.id)).statusCode).toBe(404)
    expect((await listKeys(owner.accessToken)).json().data).toEqual([])
  })

  it('an expired key is refused', async () => {
    const owner = await signUp(t)
    const key = await newKey(owner.accessToken, { expires_at: inFuture(1) })
    expect((await me(key.key)).statusCode).toBe(200)
    await withTenant(t.database.db, owner.tenantId, (trx) =>
      trx
        .updateTable('api_keys')
        .set({ expires_at: sql`now() - interval '1 second'` })
        .where('id', '=', key.id)
        .execute(),
    )
    expect((await me(key.key)).statusCode).toBe(401)
  })

  it('a key with any character changed is refused, wherever the change is', async () => {
    const owner = await signUp(t)
    const { key } = await newKey(owner.accessToken)
    const flip = (at: number) => {
      const c = key[at] === 'a' ? 'b' : 'a'
      return `${key.slice(0, at)}${c}${key.slice(at + 1)}`
    }
    const tampered = [
      flip(key.length - 1), // the secret
      flip(10), // the key id
      flip(45), // the tenant id
      flip(0), // the tsk_ marker: then it is no longer an API key at all
      key.toUpperCase(),
      `${key}x`,
      key.slice(0, -1),
      'tsk_',
    ]
    for (const bad of tampered) {
      const res = await me(bad)
      expect(res.statusCode, bad.slice(0, 50)).toBe(401)
    }
    expect((await me(key)).statusCode).toBe(200)
  })

  it('disabling the owning member refuses their keys; enabling them again restores them', async () => {
    const owner = await signUp(t)
    const member = await addMember(owner, ['user'])
    const key = await newKey(member.token, { roles: ['user'] })
    expect((await me(key.key)).statusCode).toBe(200)
    const disable = (action: string) =>
      t.app.inject({
        method: 'POST',
        url: `/api/v1/users/${member.userId}/actions/${action}`,
        headers: bearer(owner.accessToken),
      })
    expect((await disable('disable')).statusCode).toBe(200)
    expect((await me(key.key)).statusCode).toBe(401)
    expect((await disable('enable')).statusCode).toBe(200)
    expect((await me(key.key)).statusCode).toBe(200)
  })
})

describe('roles', () => {
  it('a key never has rights its member lacks: 403 naming the role and permission, nothing written', async () => {
    const owner = await signUp(t)
    const member = await addMember(owner, ['user'])
    const res = await createKey(member.token, { name: 'Escalate', roles: ['user', 'admin'] })
    expect(res.statusCode).toBe(403)
    expect(res.json().code).toBe('permission_not_held')
    expect(res.json().detail).toContain('"admin"')
    expect(res.json().detail).toContain('(*)')
    const unknown = await createKey(member.token, { name: 'Typo', roles: ['user', 'sales'] })
    expect(unknown.statusCode).toBe(400)
    expect(unknown.json().errors[0]).toMatchObject({ field: 'roles[1]', code: 'unknown_role' })
    expect(await eventsOf(owner.tenantId, 'api_key.created')).toHaveLength(0)
  })

  it('a key may carry a role its member does not hold when the member holds its rights', async () => {
    const owner = await signUp(t)
    const admin = await addMember(owner, ['admin'])
    const key = await newKey(admin.token, { roles: ['manager'] })
    const roles = await t.app.inject({ method: 'GET', url: '/api/v1/roles', headers: bearer(key.key) })
    expect(roles.statusCode).toBe(200)
    // manager cannot change roles, so neither can the key, although its member could
    const create = await t.app.inject({
      method: 'POST',
      url: '/api/v1/roles',
      headers: bearer(key.key),
      payload: { key: 'clerk', name: 'Clerk', permissions: [] },
    })
    expect(create.statusCode).toBe(403)
    expect(create.json().code).toBe('permission_required')
  })

  it("a key's rights are those both its roles and its member's grant: a right the member loses, the key loses", async () => {
    const owner = await signUp(t)
    const member = await addMember(owner, ['user', 'manager'])
    const key = await newKey(member.token, { roles: ['manager'] })
    const readRoles = () => t.app.inject({ method: 'GET', url: '/api/v1/roles', headers: bearer(key.key) })
    const mine = async () =>
      (await t.app.inject({ method: 'GET', url: '/api/v1/members/me', headers: bearer(key.key) })).json()
    expect((await readRoles()).statusCode).toBe(200)
    expect((await mine()).permissions).toContain('kernel.role:read')
    await withTenant(t.database.db, owner.tenantId, (trx) =>
      trx
        .updateTable('memberships')
        .set({ roles: ['user'] })
        .where('user_id', '=', member.userId)
        .execute(),
    )
    expect((await readRoles()).statusCode).toBe(403)
    expect((await mine()).permissions).toEqual(['kernel.company:read', 'kernel.member:read'])
    expect((await me(key.key)).statusCode).toBe(200)
  })

  it('an API key can neither create nor revoke API keys', async () => {
    const owner = await signUp(t)
    const key = await newKey(owner.accessToken)
    const create = await createKey(key.key, { name: 'Child', roles: ['owner'] })
    expect(create.statusCode).toBe(403)
    expect(create.json().code).toBe('api_key_not_allowed')
    const revoke = await revokeKey(key.key, key.id)
    expect(revoke.statusCode).toBe(403)
    expect((await listKeys(owner.accessToken)).json().data).toHaveLength(1)
  })
})

describe('who sees and revokes which keys', () => {
  it('members see and revoke only their own keys; administrators every key of the tenant', async () => {
    const owner = await signUp(t)
    const member = await addMember(owner, ['user'])
    const ownerKey = await newKey(owner.accessToken)
    const memberKey = await newKey(member.token, { roles: ['user'] })

    const mine = (await listKeys(member.token)).json().data.map((k: { id: string }) => k.id)
    expect(mine).toEqual([memberKey.id])
    const all = (await listKeys(owner.accessToken)).json().data.map((k: { id: string }) => k.id)
    expect(all.sort()).toEqual([ownerKey.id, memberKey.id].sort())

    expect((await revokeKey(member.token, ownerKey.id)).statusCode).toBe(404)
    expect((await me(ownerKey.key)).statusCode).toBe(200)
    expect((await revokeKey(owner.accessToken, memberKey.id)).statusCode).toBe(204)
    expect((await me(memberKey.key)).statusCode).toBe(401)
    const [revoked] = await eventsOf(owner.tenantId, 'api_key.revoked')
    expect(revoked).toMatchObject({ user_id: member.userId, api_key_id: memberKey.id })
    expect(revoked?.details).toMatchObject({ by: owner.userId })
  })

  it("tenant A's credentials cannot see or revoke tenant B's keys: 404", async () => {
    const a = await signUp(t)
    const b = await signUp(t)
    const aKey = await newKey(a.accessToken)
    const bKey = await newKey(b.accessToken)
    const revoke = await revokeKey(a.accessToken, bKey.id)
    expect(revoke.statusCode).toBe(404)
    expect(revoke.json().code).toBe('not_found')
    for (const credential of [a.accessToken, aKey.key]) {
      const listed = await listKeys(credential)
      expect(listed.statusCode).toBe(200)
      expect(listed.body).not.toContain(bKey.id)
    }
    expect((await me(bKey.key)).json().tenant.id).toBe(b.tenantId)
    expect((await keyRow(b.tenantId, bKey.id))?.revoked_at).toBeNull()
  })

  it('a well-formed key naming another tenant with the wrong secret is refused', async () => {
    const a = await signUp(t)
    const b = await signUp(t)
    const aKey = await newKey(a.accessToken)
    const bKey = await newKey(b.accessToken)
    // B's key id and tenant with A's secret
    const forged = `${bKey.key.slice(0, -43)}${aKey.key.slice(-43)}`
    expect((await me(forged)).statusCode).toBe(401)
  })
})

describe('bad input', () => {
  it.each([
    [
      'an unknown field',
      { name: 'x', roles: ['owner'], user_id: '0190f3a0-0000-7000-8000-000000000000' },
      'user_id',
    ],
    ['a missing name', { roles: ['owner'] }, 'name'],
    ['an empty name', { name: '', roles: ['owner'] }, 'name'],
    ['a blank name', { name: '   ', roles: ['owner'] }, 'name'],
    ['a name too long', { name: 'x'.repeat(101), roles: ['owner'] }, 'name'],
    ['missing roles', { name: 'x' }, 'roles'],
    ['roles of the wrong type', { name: 'x', roles: 'owner' }, 'roles'],
    ['a role of the wrong type', { name: 'x', roles: [7] }, 'roles[0]'],
    ['no roles', { name: 'x', roles: [] }, 'roles'],
    ['a repeated role', { name: 'x', roles: ['owner', 'owner'] }, 'roles'],
    ['a past expires_at', { name: 'x', roles: ['owner'], expires_at: '2020-01-01T00:00:00Z' }, 'expires_at'],
    ['a malformed expires_at', { name: 'x', roles: ['owner'], expires_at: 'next tuesday' }, 'expires_at'],
    ['an expires_at without time', { name: 'x', roles: ['owner'], expires_at: '2099-01-01' }, 'expires_at'],
    [
      'an expires_at of the wrong type',
      { name: 'x', roles: ['owner'], expires_at: 4102444800 },
      'expires_at',
    ],
  ])('refuses %s with 400 naming the field, and writes nothing', async (_case, payload, field) => {
    const owner = await signUp(t)
    const res = await createKey(owner.accessToken, payload)
    expect(res.statusCode).toBe(400)
    expect(res.headers['content-type']).toMatch(/problem\+json/)
    expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field)
    const rows = await withTenant(t.database.db, owner.tenantId, (trx) =>
      trx.selectFrom('api_keys').select('id').execute(),
    )
    expect(rows).toEqual([])
    expect(await eventsOf(owner.tenantId, 'api_key.created')).toEqual([])
  })

  it('refuses a malformed key id in the path with 400 and a missing one with 404', async () => {
    const owner = await signUp(t)
    const bad = await revokeKey(owner.accessToken, 'not-a-uuid')
    expect(bad.statusCode).toBe(400)
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toContain('id')
    const missing = await revokeKey(owner.accessToken, '0190f3a0-0000-7000-8000-000000000000')
    expect(missing.statusCode).toBe(404)
  })

  it('refuses key management without credentials', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      payload: { name: 'x', roles: ['owner'] },
    })
    expect(res.statusCode).toBe(401)
  })

  it("cannot end its owner's sessions: the session routes need a session (403)", async () => {
    const owner = await signUp(t)
    const { key } = await newKey(owner.accessToken)
    const attempts = [
      { method: 'POST' as const, url: '/api/v1/auth/sessions/revoke-all' },
      { method: 'DELETE' as const, url: `/api/v1/auth/sessions/${owner.sessionId}` },
      { method: 'POST' as const, url: '/api/v1/auth/logout' },
    ]
    for (const attempt of attempts) {
      const res = await t.app.inject({ ...attempt, headers: bearer(key) })
      expect(res.statusCode, attempt.url).toBe(403)
      expect(res.json().code).toBe('api_key_not_allowed')
    }
    expect((await me(owner.accessToken)).statusCode).toBe(200)
  })
})
