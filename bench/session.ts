import { randomBytes } from 'node:crypto'

/** The owner of the bench tenant, signed up through the API as any first user is. */
export interface Owner {
  tenantId: string
  userId: string
  accessToken: string
  refreshToken: string
}

async function postJson(url: string, body: unknown, token?: string, method = 'POST'): Promise<unknown> {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`)
  return JSON.parse(text)
}

/** Signs up a new tenant and activates `module` in it. */
export async function signUpWithModule(baseUrl: string, module: string): Promise<Owner> {
  const id = randomBytes(4).toString('hex')
  const json = (await postJson(`${baseUrl}/api/v1/auth/signup`, {
    name: 'Bench Owner',
    email: `bench-${id}@example.com`,
    password: 'correct horse battery staple 42',
    tenant_name: `Bench ${id}`,
    company: { currency: 'EUR', country: 'DE', timezone: 'Europe/Berlin' },
  })) as { tenant: { id: string }; user: { id: string }; access_token: string; refresh_token: string }
  const owner = {
    tenantId: json.tenant.id,
    userId: json.user.id,
    accessToken: json.access_token,
    refreshToken: json.refresh_token,
  }
  await postJson(`${baseUrl}/api/v1/modules/${module}`, { active: true }, owner.accessToken, 'PATCH')
  return owner
}

/** New tokens before each operation: an access token lives 15 minutes, a slow database may need longer. */
export async function refresh(baseUrl: string, owner: Owner): Promise<void> {
  const json = (await postJson(`${baseUrl}/api/v1/auth/refresh`, { refresh_token: owner.refreshToken })) as {
    access_token: string
    refresh_token: string
  }
  owner.accessToken = json.access_token
  owner.refreshToken = json.refresh_token
}

export async function getJson(baseUrl: string, path: string, owner: Owner): Promise<unknown> {
  const res = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${owner.accessToken}` } })
  const text = await res.text()
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${text}`)
  return JSON.parse(text)
}
