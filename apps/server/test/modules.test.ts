import {
  addUserToTenant,
  BusinessRule,
  createRegistry,
  defineModule,
  type MenuNode,
  ModuleGraphError,
} from '@tessera/kernel'
import { installedModules } from '@tessera/server'
import { createTestApp, type TestApp } from '@tessera/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, type SignedUp, STRONG_PASSWORD, signUp } from './auth/helpers.ts'
import { gizmosModule } from './fixtures/modules/gizmos.ts'
import { widgetsModule } from './fixtures/modules/widgets.ts'

/** A module whose seed fails: its activation must leave nothing behind. */
const brittleModule = defineModule({
  name: 'brittle',
  version: '1.0.0',
  async seed({ db, tenantId }) {
    await sql`insert into widgets_items (tenant_id, id, name) values (${tenantId}, gen_random_uuid(), 'half-done')`.execute(
      db,
    )
    throw new BusinessRule('brittle_seed_failed', 'The brittle seed always fails.')
  },
  depends: [widgetsModule],
})

let t: TestApp
beforeAll(async () => {
  t = await createTestApp({ modules: [gizmosModule, widgetsModule, brittleModule] })
})
afterAll(() => t.close())

const inject = (token: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
  t.app.inject({
    method,
    url,
    headers: bearer(token),
    ...(payload === undefined ? {} : { payload: payload as object }),
  })
const setActive = (token: string, name: string, active: boolean) =>
  inject(token, 'PATCH', `/api/v1/modules/${name}`, { active })
const modules = async (token: string) => {
  const res = await inject(token, 'GET', '/api/v1/modules')
  expect(res.statusCode).toBe(200)
  return res.json().data as { name: string; active: boolean }[]
}
const activeIn = async (token: string) => (await modules(token)).filter((m) => m.active).map((m) => m.name)
const menus = async (token: string) => {
  const res = await inject(token, 'GET', '/api/v1/menus')
  expect(res.statusCode).toBe(200)
  return res.json().data as MenuNode[]
}
/** The tree as ids only, children nested: easy to compare whole. */
const shape = (nodes: MenuNode[]): unknown[] =>
  nodes.map((n) => (n.children.length > 0 ? { [n.id]: shape(n.children) } : n.id))

const rows = async (table: string) =>
  (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(t.database.db))
    .rows[0]?.n

async function memberOf(owner: SignedUp): Promise<string> {
  const email = `member-${Math.random().toString(36).slice(2)}@example.com`
  await addUserToTenant(t.database.db, {
    tenantId: owner.tenantId,
    email,
    name: 'Member',
    password: STRONG_PASSWORD,
    roles: ['user'],
  })
  const login = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password: STRONG_PASSWORD },
  })
  return login.json().access_token
}

describe('the module list', () => {
  it('lists installed modules in dependency order, none active in a new tenant', async () => {
    const owner = await signUp(t)
    const res = await inject(owner.accessToken, 'GET', '/api/v1/modules')
    expect(res.statusCode).toBe(200)
    // the installed modules (partners, crm) first, then this file's, each after its dependencies
    const installed = new Set(installedModules.map((m) => m.name))
    expect(res.json().data.filter((m: { name: string }) => !installed.has(m.name))).toEqual([
      {
        name: 'widgets',
        version: '1.2.0',
        description: 'Widgets, for the module registry tests.',
        dependencies: [],
        active: false,
        activated_at: null,
      },
      {
        name: 'gizmos',
        version: '0.3.0',
        description: 'Gizmos, built from widgets.',
        dependencies: ['widgets'],
        active: false,
        activated_at: null,
      },
      {
        name: 'brittle',
        version: '1.0.0',
        description: null,
        dependencies: ['widgets'],
        active: false,
        activated_at: null,
      },
    ])
  })

  it('lets every member read modules and menus, and nobody signed out', async () => {
    const owner = await signUp(t)
    const member = await memberOf(owner)
    expect((await inject(member, 'GET', '/api/v1/modules')).statusCode).toBe(200)
    expect((await inject(member, 'GET', '/api/v1/modules/widgets')).json()).toMatchObject({
      name: 'widgets',
      active: false,
    })
    for (const url of ['/api/v1/modules', '/api/v1/menus', '/api/v1/modules/widgets', '/api/v1/widgets']) {
      expect((await t.app.inject({ method: 'GET', url })).statusCode).toBe(401)
    }
  })
})

describe('activation per tenant', () => {
  it("activates for one tenant only, gates the module's routes and seeds once", async () => {
    const a = await signUp(t)
    const b = await signUp(t)
    const unknownRoute = (await inject(b.accessToken, 'GET', '/api/v1/no-such-thing')).json()
    const before = await inject(a.accessToken, 'GET', '/api/v1/widgets')
    expect(before.statusCode).toBe(404)

    const on = await setActive(a.accessToken, 'widgets', true)
    expect(on.statusCode).toBe(200)
    expect(on.json()).toMatchObject({ name: 'widgets', active: true })
    expect(new Date(on.json().activated_at).toISOString()).toBe(on.json().activated_at)
    expect(await activeIn(a.accessToken)).toEqual(['widgets'])
    expect(await activeIn(b.accessToken)).toEqual([])

    const list = await inject(a.accessToken, 'GET', '/api/v1/widgets')
    expect(list.statusCode).toBe(200)
    expect(list.json().data.map((w: { name: string }) => w.name)).toEqual(['Sample widget'])
    const created = await inject(a.accessToken, 'POST', '/api/v1/widgets', { name: 'Sprocket' })
    expect(created.statusCode).toBe(201)

    // Tenant B: the routes answer exactly like a route that does not exist, before any body check.
    for (const [method, payload] of [
      ['GET', undefined],
      ['POST', { name: 'Sneaky' }],
      ['POST', { bogus: 1 }],
    ] as const) {
      const res = await inject(b.accessToken, method, '/api/v1/widgets', payload)
      expect(res.statusCode).toBe(404)
      expect(res.json()).toMatchObject({
        code: unknownRoute.code,
        title: unknownRoute.title,
        detail: `No route matches ${method} /api/v1/widgets.`,
      })
    }

    // Deactivated, the routes close for A too; activated again, the seed does not run twice.
    expect((await setActive(a.accessToken, 'widgets', false)).json()).toMatchObject({
      active: false,
      activated_at: null,
    })
    expect((await inject(a.accessToken, 'GET', '/api/v1/widgets')).statusCode).toBe(404)
    expect((await setActive(a.accessToken, 'widgets', true)).statusCode).toBe(200)
    const again = await inject(a.accessToken, 'GET', '/api/v1/widgets')
    expect(
      again
        .json()
        .data.map((w: { name: string }) => w.name)
        .sort(),
    ).toEqual(['Sample widget', 'Sprocket'])

    // Setting the current state again changes nothing.
    const versionOf = async () =>
      (
        await sql<{
          version: number
        }>`select version from tenant_modules where tenant_id = ${a.tenantId}`.execute(t.database.db)
      ).rows[0]?.version
    const version = await versionOf()
    expect((await setActive(a.accessToken, 'widgets', true)).json()).toMatchObject({ active: true })
    expect(await versionOf()).toBe(version)
    const seeded = await sql<{ n: number }>`
      select count(*)::int as n from widgets_items where tenant_id = ${a.tenantId} and name = 'Sample widget'`.execute(
      t.database.db,
    )
    expect(seeded.rows[0]?.n).toBe(1)
  })

  it('refuses to activate a module whose dependency is inactive, and to deactivate a needed one', async () => {
    const owner = await signUp(t)
    const token = owner.accessToken
    const refused = await setActive(token, 'gizmos', true)
    expect(refused.statusCode).toBe(422)
    expect(refused.json()).toMatchObject({ code: 'module_dependency_inactive' })
    expect(refused.json().detail).toContain('"widgets"')
    expect(await activeIn(token)).toEqual([])

    expect((await setActive(token, 'widgets', true)).statusCode).toBe(200)
    expect((await setActive(token, 'gizmos', true)).statusCode).toBe(200)
    expect((await inject(token, 'GET', '/api/v1/gizmos')).statusCode).toBe(200)

    const needed = await setActive(token, 'widgets', false)
    expect(needed.statusCode).toBe(422)
    expect(needed.json()).toMatchObject({ code: 'module_required' })
    expect(needed.json().detail).toContain('"gizmos"')
    expect(await activeIn(token)).toEqual(['widgets', 'gizmos'])

    expect((await setActive(token, 'gizmos', false)).statusCode).toBe(200)
    expect((await setActive(token, 'widgets', false)).statusCode).toBe(200)
    expect(await activeIn(token)).toEqual([])
  })

  it('rolls the activation back when the seed fails', async () => {
    const owner = await signUp(t)
    await setActive(owner.accessToken, 'widgets', true)
    const before = [await rows('tenant_modules'), await rows('widgets_items')]
    const res = await setActive(owner.accessToken, 'brittle', true)
    expect(res.statusCode).toBe(422)
    expect(res.json().code).toBe('brittle_seed_failed')
    expect([await rows('tenant_modules'), await rows('widgets_items')]).toEqual(before)
    expect(await activeIn(owner.accessToken)).toEqual(['widgets'])
  })

  it('lets only administrators activate or deactivate', async () => {
    const owner = await signUp(t)
    const member = await memberOf(owner)
    const before = await rows('tenant_modules')
    const res = await setActive(member, 'widgets', true)
    expect(res.statusCode).toBe(403)
    expect(await rows('tenant_modules')).toBe(before)
    expect(await activeIn(owner.accessToken)).toEqual([])
  })

  it('answers 404 for a module that is not installed', async () => {
    const owner = await signUp(t)
    for (const name of ['nope', 'kernel', 'Widgets', 'x'.repeat(100)]) {
      expect((await setActive(owner.accessToken, name, true)).statusCode).toBe(404)
      expect((await inject(owner.accessToken, 'GET', `/api/v1/modules/${name}`)).statusCode).toBe(404)
    }
  })

  it.each([
    ['a missing field', {}, 'active'],
    ['a wrong type', { active: 'yes' }, 'active'],
    ['a number', { active: 1 }, 'active'],
    ['null', { active: null }, 'active'],
    ['an unknown field', { active: true, seed: false }, 'seed'],
    [
      'a server-owned field',
      { active: true, tenant_id: '00000000-0000-0000-0000-000000000001' },
      'tenant_id',
    ],
    ['an array body', [true], '(body)'],
  ])('refuses %s with 400 naming the field, and writes nothing', async (_case, body, field) => {
    const owner = await signUp(t)
    const before = [await rows('tenant_modules'), await rows('widgets_items')]
    const res = await inject(owner.accessToken, 'PATCH', '/api/v1/modules/widgets', body)
    expect(res.statusCode).toBe(400)
    expect(res.headers['content-type']).toMatch(/problem\+json/)
    expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field)
    expect([await rows('tenant_modules'), await rows('widgets_items')]).toEqual(before)
  })
})

describe('menus', () => {
  it("shows the kernel's entries and the active modules', filtered by rights", async () => {
    const owner = await signUp(t)
    const member = await memberOf(owner)
    const other = await signUp(t)
    const kernelOnly = [
      { 'kernel.settings': ['kernel.members', 'kernel.api_keys', 'kernel.security_log', 'kernel.modules'] },
    ]
    expect(shape(await menus(owner.accessToken))).toEqual(kernelOnly)
    expect(shape(await menus(member))).toEqual([{ 'kernel.settings': ['kernel.api_keys'] }])

    await setActive(owner.accessToken, 'widgets', true)
    await setActive(owner.accessToken, 'gizmos', true)
    expect(shape(await menus(owner.accessToken))).toEqual([
      { 'widgets.root': ['widgets.items', 'gizmos.list'] },
      {
        'kernel.settings': [
          'kernel.members',
          'kernel.api_keys',
          'kernel.security_log',
          'kernel.modules',
          'widgets.settings',
        ],
      },
    ])
    // the member lacks widgets.settings:manage and the kernel's administrative rights
    expect(shape(await menus(member))).toEqual([
      { 'widgets.root': ['widgets.items', 'gizmos.list'] },
      { 'kernel.settings': ['kernel.api_keys'] },
    ])
    // another tenant is untouched
    expect(shape(await menus(other.accessToken))).toEqual(kernelOnly)

    const tree = await menus(owner.accessToken)
    expect(tree[0]).toMatchObject({ id: 'widgets.root', label: 'Widgets', icon: 'box', path: null })
    expect(tree[0]?.children[1]).toEqual({
      id: 'gizmos.list',
      label: 'Gizmos',
      path: '/gizmos',
      icon: null,
      order: 2,
      module: 'gizmos',
      children: [],
    })

    await setActive(owner.accessToken, 'gizmos', false)
    expect(shape(await menus(member))).toEqual([
      { 'widgets.root': ['widgets.items'] },
      { 'kernel.settings': ['kernel.api_keys'] },
    ])
  })
})

describe('manifests', () => {
  it('refuses malformed menus and permissions when the module is defined', () => {
    const base = { name: 'sample', version: '1.0.0' }
    expect(() => defineModule({ ...base, menus: [{ id: 'other.x', label: 'X' }] })).toThrow(/sample\.<name>/)
    expect(() =>
      defineModule({
        ...base,
        menus: [
          { id: 'sample.x', label: 'X' },
          { id: 'sample.x', label: 'Y' },
        ],
      }),
    ).toThrow(/declared twice/)
    expect(() =>
      defineModule({ ...base, menus: [{ id: 'sample.x', label: 'X', path: 'no-slash' }] }),
    ).toThrow(/path/)
    expect(() => defineModule({ ...base, permissions: ['other.thing:read'] })).toThrow(/sample\.<entity>/)
    expect(() => defineModule({ name: 'kernel', version: '1' })).toThrow(/reserved/)
  })

  it('stops the start when a menu entry sits under one no dependency declares', () => {
    const loose = defineModule({
      name: 'loose',
      version: '1.0.0',
      menus: [{ id: 'loose.x', label: 'X', path: '/x', parent: 'widgets.root' }],
    })
    expect(() => createRegistry([widgetsModule, loose])).toThrow(ModuleGraphError)
    expect(() => createRegistry([widgetsModule, loose])).toThrow(/"loose.x".*"widgets.root"/)
    expect(createRegistry([widgetsModule, gizmosModule]).modules.map((m) => m.name)).toEqual([
      'widgets',
      'gizmos',
    ])
  })
})
