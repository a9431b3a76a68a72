import { addUserToTenant, withTenant } from '@tessera/kernel'
import { createTestApp, type TestApp } from '@tessera/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, type SignedUp, STRONG_PASSWORD, signUp } from './helpers.ts'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

/** An owner and a plain member of the owner's tenant, both signed in. */
async function ownerAndMember(): Promise<{
  owner: SignedUp
  member: { userId: string; token: string; refresh: string }
}> {
  const owner = await signUp(t)
  const email = `member-${Math.random().toString(36).slice(2)}@example.com`
  const { user } = await addUserToTenant(t.database.db, {
    tenantId: owner.tenantId,
    email,
    name: 'Member',
    password: STRONG_PASSWORD,
    roles: ['user'],
  })
  const login = (
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password: STRONG_PASSWORD },
    })
  ).json()
  return { owner, member: { userId: user.id, token: login.access_token, refresh: login.refresh_token } }
}

const me = (token: string) => t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(token) })
const act = (token: string, userId: string, action: string) =>
  t.app.inject({ method: 'POST', url: `/api/v1/users/${userId}/actions/${action}`, headers: bearer(token) })

describe('administrators and members', () => {
  it('disabling a member takes effect on their next request, enabling lets them sign in again', async () => {
    const { owner, member } = await ownerAndMember()
    expect((await me(member.token)).statusCode).toBe(200)
    const disabled = await act(owner.accessToken, member.userId, 'disable')
    expect(disabled.statusCode).toBe(200)
    expect(disabled.json()).toEqual({ user_id: member.userId, status: 'disabled' })
    expect((await me(member.token)).statusCode).toBe(401)
    const refresh = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refresh_token: member.refresh },
    })
    expect(refresh.statusCode).toBe(401)

    expect((await act(owner.accessToken, member.userId, 'enable')).statusCode).toBe(200)
  })

  it('a disabled member cannot sign in: 403 membership_disabled after the right password', async () => {
    const { owner } = await ownerAndMember()
    const email = `disabled-${Math.random().toString(36).slice(2)}@example.com`
    const { user } = await addUserToTenant(t.database.db, {
      tenantId: owner.tenantId,
      email,
      name: 'Soon Disabled',
      password: STRONG_PASSWORD,
      roles: ['user'],
    })
    await act(owner.accessToken, user.id, 'disable')
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password: STRONG_PASSWORD },
    })
    expect(login.statusCode).toBe(403)
    expect(login.json().code).toBe('membership_disabled')
  })

  it('changed roles apply on the next request', async () => {
    const { owner, member } = await ownerAndMember()
    await withTenant(t.database.db, owner.tenantId, (trx) =>
      trx
        .updateTable('memberships')
        .set({ roles: ['admin'] })
        .where('user_id', '=', member.userId)
        .execute(),
    )
    expect((await me(member.token)).json().roles).toEqual(['admin'])
  })

  it('force-logout ends every session of the member', async () => {
    const { owner, member } = await ownerAndMember()
    const res = await act(owner.accessToken, member.userId, 'force-logout')
    expect(res.json()).toEqual({ revoked: 1 })
    expect((await me(member.token)).statusCode).toBe(401)
    expect((await me(owner.accessToken)).statusCode).toBe(200)
  })

  it('only administrators act on members: 403 for a plain member', async () => {
    const { owner, member } = await ownerAndMember()
    for (const action of ['disable', 'force-logout', 'unlock']) {
      const res = await act(member.token, owner.userId, action)
      expect(res.statusCode).toBe(403)
    }
    expect((await me(owner.accessToken)).statusCode).toBe(200)
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/security-events', headers: bearer(member.token) }))
        .statusCode,
    ).toBe(403)
  })

  it("answers 404 for another tenant's user and changes nothing", async () => {
    const a = await signUp(t)
    const b = await signUp(t)
    for (const action of ['disable', 'force-logout', 'unlock']) {
      expect((await act(a.accessToken, b.userId, action)).statusCode).toBe(404)
    }
    expect((await me(b.accessToken)).statusCode).toBe(200)
  })

  it('refuses to disable oneself (422) and a malformed id (400)', async () => {
    const owner = await signUp(t)
    expect((await act(owner.accessToken, owner.userId, 'disable')).statusCode).toBe(422)
    const bad = await act(owner.accessToken, 'not-a-uuid', 'disable')
    expect(bad.statusCode).toBe(400)
    expect(bad.json().errors[0].field).toBe('id')
  })

  it('needs credentials: 401 without them', async () => {
    const owner = await signUp(t)
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/users/${owner.userId}/actions/disable` })
    expect(res.statusCode).toBe(401)
    expect(res.headers['content-type']).toMatch(/problem\+json/)
  })

  it('filters the security log and refuses bad query parameters', async () => {
    const { owner, member } = await ownerAndMember()
    await act(owner.accessToken, member.userId, 'force-logout')
    const filtered = await t.app.inject({
      method: 'GET',
      url: `/api/v1/security-events?type=session.revoked&user_id=${member.userId}&limit=5`,
      headers: bearer(owner.accessToken),
    })
    expect(filtered.statusCode).toBe(200)
    expect(filtered.json().data.length).toBeGreaterThan(0)
    for (const e of filtered.json().data)
      expect(e).toMatchObject({ type: 'session.revoked', user_id: member.userId })
    for (const query of ['limit=0', 'limit=500', 'before=yesterday', "type=x'%20or%201=1", 'sort=id']) {
      const res = await t.app.inject({
        method: 'GET',
        url: `/api/v1/security-events?${query}`,
        headers: bearer(owner.accessToken),
      })
      expect(res.statusCode, query).toBe(400)
    }
  })
})
