import { addUserToTenant } from '@tessera/kernel'
import { createTestApp, type TestApp } from '@tessera/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, type SignedUp, STRONG_PASSWORD, signUp } from './helpers.ts'

/** Security events in the audit trail: the request that caused them, and refusals that must survive. */
let t: TestApp
let owner: SignedUp
beforeAll(async () => {
  t = await createTestApp()
  owner = await signUp(t)
})
afterAll(() => t.close())

interface AuditRow {
  request_id: string | null
  user_id: string | null
  action: string
  new_values: { details?: Record<string, unknown> } | null
}

async function securityEvents(action: string): Promise<AuditRow[]> {
  const res = await t.app.inject({
    method: 'GET',
    url: `/api/v1/audit?entity=kernel.security_event&action=${action}&limit=200`,
    headers: bearer(owner.accessToken),
  })
  expect(res.statusCode, res.body).toBe(200)
  return res.json().data
}

async function member(name: string) {
  const email = `${name}-${Math.random().toString(36).slice(2)}@example.com`
  const { user } = await addUserToTenant(t.database.db, {
    tenantId: owner.tenantId,
    email,
    name,
    password: STRONG_PASSWORD,
    roles: ['user'],
  })
  return { email, userId: user.id }
}

const login = (email: string, requestId: string) =>
  t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    headers: { 'x-request-id': requestId },
    payload: { email, password: STRONG_PASSWORD },
  })

describe('security events in the audit trail', () => {
  it('a login carries the id of the request that signed in', async () => {
    const ada = await member('ada')
    const res = await login(ada.email, 'login-request-1')
    expect(res.statusCode, res.body).toBe(200)
    const rows = await securityEvents('login.succeeded')
    expect(rows.find((r) => r.user_id === ada.userId)).toMatchObject({ request_id: 'login-request-1' })
  })

  it('an administrator’s change of a member carries the request id', async () => {
    const bob = await member('bob')
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/users/${bob.userId}/actions/disable`,
      headers: { ...bearer(owner.accessToken), 'x-request-id': 'disable-request-1' },
    })
    expect(res.statusCode, res.body).toBe(200)
    const rows = await securityEvents('member.disabled')
    expect(rows.map((r) => r.request_id)).toContain('disable-request-1')
  })

  it('the refused login of a disabled member is recorded, though the login fails', async () => {
    const cy = await member('cy')
    const disabled = await t.app.inject({
      method: 'POST',
      url: `/api/v1/users/${cy.userId}/actions/disable`,
      headers: bearer(owner.accessToken),
    })
    expect(disabled.statusCode, disabled.body).toBe(200)
    const res = await login(cy.email, 'disabled-login-1')
    expect(res.statusCode, res.body).toBe(403)
    expect(res.json().code).toBe('membership_disabled')
    const rows = await securityEvents('login.failed')
    expect(rows.find((r) => r.request_id === 'disabled-login-1')).toMatchObject({
      user_id: cy.userId,
      new_values: { details: { reason: 'disabled' } },
    })
  })
})
