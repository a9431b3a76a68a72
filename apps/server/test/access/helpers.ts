import { addUserToTenant } from '@tessera/kernel'
import type { TestApp } from '@tessera/testing'
import { bearer, type SignedUp, STRONG_PASSWORD } from '../auth/helpers.ts'

export interface Member {
  userId: string
  membershipId: string
  email: string
  token: string
}

/** A member of the owner's tenant with the given roles, signed in with a bearer token. */
export async function addMember(t: TestApp, owner: SignedUp, roles: string[]): Promise<Member> {
  const email = `member-${Math.random().toString(36).slice(2)}@example.com`
  const { user, membership } = await addUserToTenant(t.database.db, {
    tenantId: owner.tenantId,
    email,
    name: `Member ${email.slice(7, 12)}`,
    password: STRONG_PASSWORD,
    roles,
  })
  const login = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password: STRONG_PASSWORD },
  })
  if (login.statusCode !== 200) throw new Error(`login failed: ${login.statusCode} ${login.body}`)
  return { userId: user.id, membershipId: membership.id, email, token: login.json().access_token }
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/** A request with a bearer token; `ifMatch` sets If-Match. */
export function call(
  t: TestApp,
  token: string,
  method: Method,
  url: string,
  payload?: unknown,
  ifMatch?: string | number,
) {
  return t.app.inject({
    method,
    url,
    headers: {
      ...bearer(token),
      ...(ifMatch === undefined
        ? {}
        : { 'if-match': typeof ifMatch === 'number' ? `"${ifMatch}"` : ifMatch }),
    },
    ...(payload === undefined ? {} : { payload: payload as object }),
  })
}

/** A custom role created through the API by `token`; returns its id and version. */
export async function createRole(t: TestApp, token: string, key: string, permissions: string[]) {
  const res = await call(t, token, 'POST', '/api/v1/roles', { key, name: key, permissions })
  if (res.statusCode !== 201) throw new Error(`role creation failed: ${res.statusCode} ${res.body}`)
  return res.json() as { id: string; key: string; version: number; permissions: string[] }
}
