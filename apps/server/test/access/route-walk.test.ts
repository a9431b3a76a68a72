import { type TSchema, Type } from '@sinclair/typebox'
import { createRegistry, defineModule, newId, withTenant } from '@tessera/kernel'
import { createTestApp, type TestApp } from '@tessera/testing'
import Fastify from 'fastify'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RegisteredRoute, registeredRoutes } from '../../src/access/route-catalogue.ts'
import { authenticated } from '../../src/auth/actor.ts'
import { registerModuleRoutes } from '../../src/modules/module-gate.ts'
import { bearer, type SignedUp, signUp } from '../auth/helpers.ts'
import { addMember, call, createRole, type Member } from './helpers.ts'

/**
 * Central enforcement: every route the server registers, for every method, is called without
 * credentials (401) and by a member whose only role grants nothing (403). Only the routes listed
 * here as public or as open to every signed-in member are exempt, so a route added without a
 * permission check fails this test until someone decides, in this file, that it may be open.
 */

/** Reachable without signing in: signing up and in, recovery, health, the docs and the web app. */
const PUBLIC = new Set([
  'POST /api/v1/auth/signup',
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/login/mfa',
  'POST /api/v1/auth/refresh',
  'POST /api/v1/auth/password-check',
  'POST /api/v1/auth/password-reset',
  'POST /api/v1/auth/password-reset/confirm',
  'POST /api/v1/auth/verify-email',
  'GET /api/v1/auth/sso/:tenantSlug/start',
  'GET /api/v1/auth/sso/callback',
  'GET /api/v1/openapi.json',
  'GET /healthz',
  'GET /readyz',
])
/** `GET /x` stands for HEAD too, and for `/x/` (Fastify registers a plugin's `/` both ways). */
const keyOf = (method: string, url: string) =>
  `${method === 'HEAD' ? 'GET' : method} ${url.length > 1 ? url.replace(/\/$/, '') : url}`
const isPublic = (method: string, url: string) =>
  PUBLIC.has(keyOf(method, url)) || url.startsWith('/api/docs') || !url.startsWith('/api/') // the web app's files

/** Open to every signed-in member: their own session, profile, MFA, keys, menus and modules. */
const EVERY_MEMBER = new Set([
  'POST /api/v1/auth/logout',
  'GET /api/v1/auth/me',
  'GET /api/v1/auth/sessions',
  'DELETE /api/v1/auth/sessions/:id',
  'POST /api/v1/auth/sessions/revoke-all',
  'POST /api/v1/auth/password',
  'POST /api/v1/auth/verify-email/resend',
  'GET /api/v1/auth/mfa',
  'POST /api/v1/auth/mfa/enrollment',
  'POST /api/v1/auth/mfa/enrollment/confirm',
  'POST /api/v1/auth/mfa/backup-codes',
  'POST /api/v1/auth/mfa/disable',
  'GET /api/v1/api-keys',
  'POST /api/v1/api-keys',
  'DELETE /api/v1/api-keys/:id',
  'GET /api/v1/menus',
  'GET /api/v1/meta/entities',
  'GET /api/v1/modules',
  'GET /api/v1/modules/:name',
  'GET /api/v1/members/me',
  'GET /api/v1/countries',
  'GET /api/v1/notifications',
  'GET /api/v1/notifications/unread-count',
  'GET /api/v1/notifications/stream',
  'POST /api/v1/notifications/read-all',
  'POST /api/v1/notifications/:id/read',
  'GET /api/v1/notifications/preferences',
  'PUT /api/v1/notifications/preferences',
  'PUT /api/v1/members/me/current-company',
  // searches only what the member may read: nothing, for a member without rights
  'GET /api/v1/search',
  // the imports the member started (or may import into): none, for a member without rights
  'GET /api/v1/imports',
  'GET /api/v1/imports/:id',
])
const isForEveryMember = (method: string, url: string) => EVERY_MEMBER.has(keyOf(method, url))

/** A module of this test only, so that module routes (behind the module gate) are walked too. */
const walkModule = defineModule({
  name: 'walkmod',
  version: '1.0.0',
  permissions: ['walkmod.thing:read', 'walkmod.thing:create'],
  async routes(app) {
    app.get('/walkmod/things', { config: { permission: 'walkmod.thing:read' } }, async () => ({ data: [] }))
    app.post(
      '/walkmod/things',
      {
        config: { permission: 'walkmod.thing:create' },
        schema: {
          body: Type.Object({ name: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
        },
      },
      async (_request, reply) => reply.code(201).send({ ok: true }),
    )
  },
})

/** Added by this test and left unprotected on purpose: the walk must report it. */
const CANARY = '/api/v1/walk-canary'

let t: TestApp
let owner: SignedUp
let nobody: Member
const ids: Record<string, string> = {}

beforeAll(async () => {
  t = await createTestApp({ modules: [walkModule] })
  // a route as someone might forget to protect it: signed-in members only, no permission asked
  t.app.get(CANARY, { preHandler: authenticated(t.identity) }, async () => ({ data: 'everything' }))
  owner = await signUp(t)
  // every module active, so the module gate lets the walk reach their routes
  const modules = (await call(t, owner.accessToken, 'GET', '/api/v1/modules')).json().data as {
    name: string
  }[]
  for (const m of modules) {
    const res = await call(t, owner.accessToken, 'PATCH', `/api/v1/modules/${m.name}`, { active: true })
    if (res.statusCode !== 200) throw new Error(`activating ${m.name}: ${res.statusCode} ${res.body}`)
  }
  // a custom entity, so the walk reaches /api/v1/custom/:resource with a resource that exists
  const custom = await call(t, owner.accessToken, 'POST', '/api/v1/meta/entities', {
    name: 'walk_thing',
    label: 'Walk thing',
    plural_label: 'Walk things',
    resource: 'walk-things',
    fields: [{ key: 'name', type: 'text', label: 'Name' }],
  })
  if (custom.statusCode !== 201) throw new Error(`custom entity: ${custom.statusCode} ${custom.body}`)
  // a file on a walk thing, so the walk reaches /api/v1/files/:id with a file that exists
  ids.file = newId()
  await withTenant(t.database.db, owner.tenantId, (trx) =>
    sql`insert into files (tenant_id, id, entity, record_id, name, current_version)
        values (${owner.tenantId}, ${ids.file}, 'custom.walk_thing', ${newId()}, 'walk.txt', 1)`.execute(trx),
  )
  await createRole(t, owner.accessToken, 'nobody', [])
  nobody = await addMember(t, owner, ['nobody'])
  const key = await call(t, owner.accessToken, 'POST', '/api/v1/api-keys', { name: 'k', roles: ['owner'] })
  const me = (await call(t, owner.accessToken, 'GET', '/api/v1/members/me')).json()
  Object.assign(ids, {
    role: (await createRole(t, owner.accessToken, 'clerk', ['kernel.member:read'])).id,
    member: me.id,
    company: me.current_company_id,
    user: owner.userId,
    apiKey: key.json().id,
    session: owner.sessionId,
  })
})
afterAll(() => t.close())

/** Real ids of the tenant's records, so that a 404 cannot stand in for a missing check. */
function pathFor(url: string): string {
  const byPrefix: [string, string][] = [
    ['/api/v1/roles/', ids.role as string],
    ['/api/v1/members/', ids.member as string],
    ['/api/v1/companies/', ids.company as string],
    ['/api/v1/users/', ids.user as string],
    ['/api/v1/api-keys/', ids.apiKey as string],
    ['/api/v1/auth/sessions/', ids.session as string],
    ['/api/v1/files/', ids.file as string],
  ]
  return url
    .replace(/:([A-Za-z_]+)/g, (_m, name: string) => {
      if (name === 'tenantSlug') return owner.tenantSlug
      if (name === 'name') return 'walkmod'
      if (name === 'key') return 'walkmod.thing'
      if (name === 'field') return 'x'
      if (name === 'resource') return 'walk-things'
      if (name === 'action') return 'submit'
      if (name === 'deliveryId') return newId()
      if (name === 'id') return byPrefix.find(([prefix]) => url.startsWith(prefix))?.[1] ?? newId()
      throw new Error(`route-walk: no sample value for :${name} in ${url}; add one to pathFor`)
    })
    .replace(/\*$/, 'x')
}

// values tried, in order, for a string with a pattern: the first that fits is used
const CANDIDATES = [
  'x',
  'walk',
  'https://idp.example.com',
  'kernel.company',
  'kernel.member:read',
  'Walk 1',
  '#123456',
  'AB',
  'ABC',
  '123456',
]

/** The smallest value the schema accepts: required properties only. */
function sample(schema: TSchema | undefined, where: string): unknown {
  if (!schema) return undefined
  const s = schema as Record<string, unknown> & TSchema
  if (s.const !== undefined) return s.const
  if (Array.isArray(s.enum)) return s.enum[0]
  if (Array.isArray(s.anyOf))
    return sample(
      (s.anyOf as TSchema[]).find((x) => x.type !== 'null'),
      where,
    )
  switch (s.type) {
    case 'object': {
      const props = (s.properties ?? {}) as Record<string, TSchema>
      const required = (s.required ?? []) as string[]
      const out = Object.fromEntries(required.map((k) => [k, sample(props[k], `${where}.${k}`)]))
      // a body that must not be empty gets its first property
      const first = Object.keys(props)[0]
      if (required.length === 0 && typeof s.minProperties === 'number' && first)
        out[first] = sample(props[first], `${where}.${first}`)
      return out
    }
    case 'array':
      return Array.from({ length: Number(s.minItems ?? 0) }, (_x, i) =>
        sample(s.items as TSchema, `${where}[${i}]`),
      )
    case 'boolean':
      return true
    case 'integer':
    case 'number':
      return Number(s.minimum ?? 1)
    case 'string':
      return sampleString(s, where)
    default:
      return {}
  }
}

function sampleString(s: Record<string, unknown>, where: string): string {
  switch (s.format) {
    case 'uuid':
      return newId()
    case 'email':
      return 'walk@example.com'
    case 'date-time':
      return new Date(Date.now() + 86_400_000).toISOString()
    case 'uri':
      return 'https://example.com/walk'
    case 'time-zone':
      return 'UTC'
  }
  const min = Number(s.minLength ?? 0)
  const max = Number(s.maxLength ?? 1000)
  const pattern = typeof s.pattern === 'string' ? new RegExp(s.pattern, 'u') : undefined
  const fits = (v: string) => v.length >= min && v.length <= max && (!pattern || pattern.test(v))
  const found = [...CANDIDATES, 'x'.repeat(Math.max(min, 1))].find(fits)
  if (found === undefined) throw new Error(`route-walk: no sample string for ${where}; add a candidate`)
  return found
}

/** A request the route's schemas accept, with real ids in its path. */
function request(route: RegisteredRoute) {
  const body = sample(route.schema?.body as TSchema | undefined, 'body')
  const query = sample(route.schema?.querystring as TSchema | undefined, 'query') as
    | Record<string, unknown>
    | undefined
  const search = query
    ? new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString()
    : ''
  return {
    method: route.method as 'GET',
    url: `${pathFor(route.url)}${search ? `?${search}` : ''}`,
    ...(body === undefined ? {} : { payload: body as object }),
  }
}

const counts = () =>
  withTenant(
    t.database.db,
    owner.tenantId,
    async (trx) =>
      (
        await sql<Record<string, number>>`
      select (select count(*)::int from roles) as roles,
             (select sum(version)::int from roles) as role_versions,
             (select sum(version)::int from memberships) as membership_versions,
             (select count(*)::int from membership_companies) as membership_companies,
             (select count(*)::int from companies) as companies,
             (select count(*)::int from api_keys where revoked_at is null) as api_keys,
             (select count(*)::int from sessions where revoked_at is null) as sessions,
             (select count(*)::int from sso_providers) as sso,
             (select count(*)::int from tenant_modules where active) as modules`.execute(trx)
      ).rows[0],
  )

describe('central enforcement', () => {
  it('knows the routes: the catalogue holds the kernel’s, the access routes and module routes', () => {
    const keys = registeredRoutes(t.app).map((r) => `${r.method} ${r.url}`)
    for (const key of ['PATCH /api/v1/roles/:id', 'GET /api/v1/walkmod/things', 'POST /api/v1/auth/login'])
      expect(keys).toContain(key)
  })

  it('refuses every route without credentials (401), except the public ones', async () => {
    const wrong: string[] = []
    for (const route of registeredRoutes(t.app)) {
      if (isPublic(route.method, route.url)) continue
      const res = await t.app.inject(request(route))
      if (res.statusCode !== 401)
        wrong.push(`${route.method} ${route.url}: ${res.statusCode} ${res.body.slice(0, 160)}`)
    }
    expect(wrong).toEqual([])
  })

  it('refuses every route to a member without rights (403), except those open to every member', async () => {
    const before = await counts()
    const wrong: string[] = []
    const unnamed: string[] = []
    let walked = 0
    for (const route of registeredRoutes(t.app)) {
      if (isPublic(route.method, route.url) || isForEveryMember(route.method, route.url)) continue
      const req = request(route)
      const res = await t.app.inject({ ...req, headers: bearer(nobody.token) })
      walked += 1
      if (res.statusCode !== 403) {
        wrong.push(`${route.method} ${route.url}: ${res.statusCode} ${res.body.slice(0, 160)}`)
      } else if (route.method !== 'HEAD' && res.json().code !== 'permission_required') {
        unnamed.push(`${route.method} ${route.url}: ${res.body.slice(0, 160)}`)
      }
    }
    // the canary, and nothing else
    expect(wrong).toEqual([`GET ${CANARY}: 200 {"data":"everything"}`, `HEAD ${CANARY}: 200 `])
    // each refusal names the one permission the route needs, not a vague "administrators only"
    expect(unnamed).toEqual([])
    expect(walked).toBeGreaterThan(30)
    expect(await counts()).toEqual(before)
    // the member is still signed in: nothing above ended their session
    expect((await call(t, nobody.token, 'GET', '/api/v1/auth/me')).statusCode).toBe(200)
  })

  it('lets a member holding only the permission a read route names through it', async () => {
    // reads only: a write with real ids would change the tenant the other tests walk
    const named = registeredRoutes(t.app).flatMap((route) => {
      const summary = (route.schema as { summary?: string } | undefined)?.summary ?? ''
      const permission = /\((kernel\.[a-z_]+:[a-z_-]+)\)$/.exec(summary)?.[1]
      return route.method === 'GET' && permission ? [{ route, permission }] : []
    })
    expect(named.map((n) => n.route.url)).toEqual(
      expect.arrayContaining(['/api/v1/access/record-rules', '/api/v1/access/explain']),
    )
    const holders = new Map<string, Member>()
    const refused: string[] = []
    for (const { route, permission } of named) {
      if (!holders.has(permission)) {
        const key = `only_${permission.replace(/[^a-z]+/g, '_')}`.slice(0, 40)
        await createRole(t, owner.accessToken, key, [permission])
        holders.set(permission, await addMember(t, owner, [key]))
      }
      const holder = holders.get(permission) as Member
      const res = await t.app.inject({ ...request(route), headers: bearer(holder.token) })
      if (res.statusCode === 403) refused.push(`${route.url} with ${permission}: ${res.body.slice(0, 160)}`)
    }
    expect(refused).toEqual([])
  })

  it('gives the same routes to the owner (so the 403s above are about rights, not the requests)', async () => {
    const res = await call(t, owner.accessToken, 'GET', '/api/v1/walkmod/things')
    expect(res.statusCode).toBe(200)
    expect((await call(t, nobody.token, 'GET', '/api/v1/walkmod/things')).json().detail).toContain(
      '"walkmod.thing:read"',
    )
  })

  it('refuses to start a module whose route needs a permission nobody declares', async () => {
    const typo = defineModule({
      name: 'typo',
      version: '1.0.0',
      permissions: ['typo.thing:read'],
      async routes(app) {
        app.get('/typo', { config: { permission: 'typo.thing:raed' } }, async () => ({}))
      },
    })
    const app = Fastify()
    try {
      await expect(
        registerModuleRoutes(app, { identity: t.identity, registry: createRegistry([typo]) }),
      ).rejects.toThrow(/typo\.thing:raed/)
    } finally {
      await app.close()
    }
  })
})
