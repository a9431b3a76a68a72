import type { TestApp } from '@tessera/testing'
import { expect } from 'vitest'
import { bearer, type SignedUp, signUp } from '../auth/helpers.ts'

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE'

/** A request as `token`, with optional headers. */
export function api(t: TestApp, token: string, method: Method, url: string, payload?: unknown, headers = {}) {
  return t.app.inject({
    method,
    url,
    headers: { ...bearer(token), ...headers },
    ...(payload === undefined ? {} : { payload: payload as object }),
  })
}

/** A new tenant with the given modules active. */
export async function tenantWith(t: TestApp, modules: string[]): Promise<SignedUp> {
  const owner = await signUp(t)
  for (const name of modules) {
    const res = await api(t, owner.accessToken, 'PATCH', `/api/v1/modules/${name}`, { active: true })
    expect(res.statusCode, res.body).toBe(200)
  }
  return owner
}

/** Creates a record and returns it, failing the test with the body when refused. */
export async function create(t: TestApp, token: string, resource: string, body: unknown) {
  const res = await api(t, token, 'POST', `/api/v1/${resource}`, body)
  expect(res.statusCode, res.body).toBe(201)
  return res.json() as Record<string, unknown> & { id: string; version: number }
}

/** The problem's field errors as `field: code`. */
export function fieldCodes(res: { json(): unknown }): string[] {
  const body = res.json() as { errors?: { field: string; code: string }[] }
  return (body.errors ?? []).map((e) => `${e.field}: ${e.code}`)
}
