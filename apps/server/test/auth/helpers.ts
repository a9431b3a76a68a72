import type { TestApp } from '@tessera/testing'

let counter = 0

export const STRONG_PASSWORD = 'correct horse battery staple 42'

/** A fresh, unique sign-up body; override any field. */
export function signupBody(overrides: Record<string, unknown> = {}) {
  counter += 1
  const id = `${process.pid}-${counter}-${Math.random().toString(36).slice(2, 8)}`
  return {
    name: 'Ada Lovelace',
    email: `ada-${id}@example.com`,
    password: STRONG_PASSWORD,
    tenant_name: `Analytical Engines ${id}`,
    company: { currency: 'EUR', country: 'GB', timezone: 'Europe/London' },
    ...overrides,
  }
}

export interface SignedUp {
  email: string
  password: string
  tenantId: string
  tenantSlug: string
  userId: string
  accessToken: string
  refreshToken: string
  sessionId: string
  csrfToken: string
  cookie: string
}

/** Signs up through the API and returns the owner's credentials. */
export async function signUp(t: TestApp, overrides: Record<string, unknown> = {}): Promise<SignedUp> {
  const body = signupBody(overrides)
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/signup', payload: body })
  if (res.statusCode !== 201) throw new Error(`signup failed: ${res.statusCode} ${res.body}`)
  const json = res.json()
  return {
    email: body.email as string,
    password: body.password as string,
    tenantId: json.tenant.id,
    tenantSlug: json.tenant.slug,
    userId: json.user.id,
    accessToken: json.access_token,
    refreshToken: json.refresh_token,
    sessionId: json.session_id,
    csrfToken: json.csrf_token,
    cookie: sessionCookie(res.headers['set-cookie']),
  }
}

/** `name=value` of the session cookie from a Set-Cookie header. */
export function sessionCookie(setCookie: string | string[] | undefined): string {
  const all = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []
  const found = all.find((c) => c.startsWith('tessera_session=') || c.startsWith('__Host-tessera_session='))
  return found?.split(';')[0] ?? ''
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
