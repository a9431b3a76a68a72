import { defineModule, withTenant } from '@tessera/kernel'
import { createTestApp, type TestApp } from '@tessera/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SignedUp, signUp } from '../auth/helpers.ts'
import { addMember, call, createRole } from './helpers.ts'

/** A module with rights and a role template, to see modules' permissions and roles arrive. */
const ledgerModule = defineModule({
  name: 'ledger',
  version: '1.0.0',
  permissions: ['ledger.entry:read', 'ledger.entry:post'],
  roles: [
    {
      key: 'ledger_clerk',
      name: 'Ledger clerk',
      description: 'Reads and posts entries.',
      permissions: ['ledger.entry:read', 'ledger.entry:post', 'kernel.company:read'],
    },
  ],
})

let t: TestApp
beforeAll(async () => {
  t = await createTestApp({ modules: [ledgerModule] })
})
afterAll(() => t.close())

const roleCount = async (tenantId: string) =>
  withTenant(t.database.db, tenantId, async (trx) =>
    Number((await sql<{ n: number }>`select count(*)::int as n from roles`.execute(trx)).rows[0]?.n),
  )
const roleRow = (tenantId: string, key: string) =>
  withTenant(
    t.database.db,
    tenantId,
    async (trx) =>
      (
        await sql<{ permissions: string[]; version: number; name: string }>`
      select permissions, version, name from roles where key = ${key}`.execute(trx)
      ).rows[0],
  )
const roles = async (token: string) => {
  const res = await call(t, token, 'GET', '/api/v1/roles')
  expect(res.statusCode).toBe(200)
  return res.json().data as {
    id: string
    key: string
    template: boolean
    origin: string | null
    permissions: string[]
  }[]
}
const roleId = async (owner: SignedUp, key: string) =>
  (await roles(owner.accessToken)).find((r) => r.key === key)?.id as string

describe('templates and the permission catalogue', () => {
  it("gives every new tenant the kernel's four templates, read-only", async () => {
    const owner = await signUp(t)
    const list = await roles(owner.accessToken)
    expect(list.map((r) => r.key)).toEqual(['admin', 'manager', 'owner', 'user'])
    expect(list.every((r) => r.template && r.origin === 'kernel')).toBe(true)
    expect(list.find((r) => r.key === 'owner')?.permissions).toEqual(['*', 'kernel.ownership:transfer'])
    expect(list.find((r) => r.key === 'admin')?.permissions).toEqual(['*'])
    expect(list.find((r) => r.key === 'user')?.permissions).toEqual([
      'kernel.member:read',
      'kernel.company:read',
    ])

    const id = await roleId(owner, 'user')
    const one = await call(t, owner.accessToken, 'GET', `/api/v1/roles/${id}`)
    expect(one.headers.etag).toBe('"1"')
    const patch = await call(t, owner.accessToken, 'PATCH', `/api/v1/roles/${id}`, { name: 'Staff' }, 1)
    expect(patch.statusCode).toBe(422)
    expect(patch.json().code).toBe('role_is_template')
    const del = await call(t, owner.accessToken, 'DELETE', `/api/v1/roles/${id}`)
    expect(del.statusCode).toBe(422)
    expect((await roleRow(owner.tenantId, 'user'))?.name).toBe('User')
  })

  it("lists the kernel's and the enabled modules' permissions, owner-only ones marked", async () => {
    const owner = await signUp(t)
    const res = await call(t, owner.accessToken, 'GET', '/api/v1/permissions')
    expect(res.statusCode).toBe(200)
    const data = res.json().data as { permission: string; module: string; owner_only: boolean }[]
    expect(data).toContainEqual(
      expect.objectContaining({ permission: 'kernel.role:update', module: 'kernel' }),
    )
    expect(data).toContainEqual(
      expect.objectContaining({ permission: 'ledger.entry:post', module: 'ledger' }),
    )
    expect(data.filter((p) => p.owner_only).map((p) => p.permission)).toEqual(['kernel.ownership:transfer'])
  })

  it("adds a module's role templates when a tenant activates the module", async () => {
    const owner = await signUp(t)
    expect((await roles(owner.accessToken)).map((r) => r.key)).not.toContain('ledger_clerk')
    const activate = await call(t, owner.accessToken, 'PATCH', '/api/v1/modules/ledger', { active: true })
    expect(activate.statusCode).toBe(200)
    const clerk = (await roles(owner.accessToken)).find((r) => r.key === 'ledger_clerk')
    expect(clerk).toMatchObject({ template: true, origin: 'ledger' })
    expect(clerk?.permissions).toEqual(['ledger.entry:read', 'ledger.entry:post', 'kernel.company:read'])
    // deactivating and activating again keeps one row
    await call(t, owner.accessToken, 'PATCH', '/api/v1/modules/ledger', { active: false })
    await call(t, owner.accessToken, 'PATCH', '/api/v1/modules/ledger', { active: true })
    expect((await roles(owner.accessToken)).filter((r) => r.key === 'ledger_clerk')).toHaveLength(1)
  })

  it('refuses module roles that are malformed or grant what the module does not declare', () => {
    const base = { name: 'shop', version: '1.0.0', permissions: ['shop.cart:read'] }
    const role = { key: 'shop_clerk', name: 'Clerk', permissions: ['shop.cart:read'] }
    expect(() => defineModule({ ...base, roles: [{ ...role, key: 'clerk' }] })).toThrow(/shop_<name>/)
    expect(() => defineModule({ ...base, roles: [{ ...role, permissions: ['shop.cart:delete'] }] })).toThrow(
      /shop\.cart:delete/,
    )
    expect(() =>
      defineModule({ ...base, roles: [{ ...role, permissions: ['kernel.ownership:transfer'] }] }),
    ).toThrow(/ownership/)
    expect(() => defineModule({ ...base, roles: [role, role] })).toThrow(/twice/)
    expect(defineModule({ ...base, roles: [role] }).roles).toHaveLength(1)
  })
})

describe('custom roles', () => {
  it('grants their rights on the next request, and takes them away as soon as the role changes', async () => {
    const owner = await signUp(t)
    const role = await createRole(t, owner.accessToken, 'auditor', [
      'kernel.role:read',
      'kernel.security_event:read',
    ])
    expect(role).toMatchObject({ key: 'auditor', template: false, origin: null, version: 1 })
    const member = await addMember(t, owner, ['auditor'])
    expect((await call(t, member.token, 'GET', '/api/v1/security-events')).statusCode).toBe(200)

    const changed = await call(
      t,
      owner.accessToken,
      'PATCH',
      `/api/v1/roles/${role.id}`,
      { permissions: ['kernel.role:read'] },
      1,
    )
    expect(changed.statusCode).toBe(200)
    expect(changed.json()).toMatchObject({ version: 2, permissions: ['kernel.role:read'] })
    expect(changed.headers.etag).toBe('"2"')
    const refused = await call(t, member.token, 'GET', '/api/v1/security-events')
    expect(refused.statusCode).toBe(403)
    expect(refused.json()).toMatchObject({ code: 'permission_required' })
    expect(refused.json().detail).toContain('"kernel.security_event:read"')
    expect((await call(t, member.token, 'GET', '/api/v1/roles')).statusCode).toBe(200)
  })

  it('needs If-Match: 428 without it, 409 for a stale version, 400 for a malformed one; nothing written', async () => {
    const owner = await signUp(t)
    const role = await createRole(t, owner.accessToken, 'clerk', ['kernel.member:read'])
    const url = `/api/v1/roles/${role.id}`
    const body = { permissions: ['kernel.company:read'] }
    const missing = await call(t, owner.accessToken, 'PATCH', url, body)
    expect(missing.statusCode).toBe(428)
    expect(missing.json().code).toBe('if_match_required')
    expect((await call(t, owner.accessToken, 'PATCH', url, { name: 'Clerk' }, 1)).statusCode).toBe(200)
    const stale = await call(t, owner.accessToken, 'PATCH', url, body, 1)
    expect(stale.statusCode).toBe(409)
    expect(stale.json().code).toBe('version_conflict')
    for (const bad of ['abc', '*', '"1", "2"', '0']) {
      const res = await call(t, owner.accessToken, 'PATCH', url, body, bad)
      expect(res.statusCode, bad).toBe(400)
    }
    expect(await roleRow(owner.tenantId, 'clerk')).toEqual({
      permissions: ['kernel.member:read'],
      version: 2,
      name: 'Clerk',
    })
  })

  it('deletes a role nobody holds; refuses one still held (422) and a duplicate key (409)', async () => {
    const owner = await signUp(t)
    const role = await createRole(t, owner.accessToken, 'temp', [])
    const dup = await call(t, owner.accessToken, 'POST', '/api/v1/roles', {
      key: 'temp',
      name: 'x',
      permissions: [],
    })
    expect(dup.statusCode).toBe(409)
    expect(dup.json().errors[0].field).toBe('key')
    const taken = await call(t, owner.accessToken, 'POST', '/api/v1/roles', {
      key: 'owner',
      name: 'x',
      permissions: [],
    })
    expect(taken.statusCode).toBe(409)

    const member = await addMember(t, owner, ['temp'])
    const inUse = await call(t, owner.accessToken, 'DELETE', `/api/v1/roles/${role.id}`)
    expect(inUse.statusCode).toBe(422)
    expect(inUse.json().code).toBe('role_in_use')
    const memberRes = await call(t, owner.accessToken, 'GET', `/api/v1/members/${member.membershipId}`)
    const moved = await call(
      t,
      owner.accessToken,
      'PATCH',
      `/api/v1/members/${member.membershipId}`,
      { roles: ['user'] },
      memberRes.json().version,
    )
    expect(moved.statusCode).toBe(200)
    expect((await call(t, owner.accessToken, 'DELETE', `/api/v1/roles/${role.id}`)).statusCode).toBe(204)
    expect(await roleRow(owner.tenantId, 'temp')).toBeUndefined()
    expect((await call(t, owner.accessToken, 'GET', `/api/v1/roles/${role.id}`)).statusCode).toBe(404)
  })
})

describe('bad input', () => {
  it.each([
    [
      'an unknown permission',
      { permissions: ['kernel.role:read', 'sales.order:teleport'] },
      'permissions[1]',
    ],
    ['SQL as a permission', { permissions: ["kernel.role:read' or 1=1 --"] }, 'permissions[0]'],
    ['a repeated permission', { permissions: ['kernel.role:read', 'kernel.role:read'] }, 'permissions'],
    ['permissions of the wrong type', { permissions: 'kernel.role:read' }, 'permissions'],
    ['a tenant_id', { tenant_id: '0190f3a0-0000-7000-8000-000000000000' }, 'tenant_id'],
    ['an origin', { origin: 'kernel' }, 'origin'],
    ['a template flag', { template: true }, 'template'],
    ['an owner', { owner: true }, 'owner'],
    ['a version', { version: 7 }, 'version'],
    ['a created_by', { created_by: '0190f3a0-0000-7000-8000-000000000000' }, 'created_by'],
    ['a malformed key', { key: 'Power User' }, 'key'],
    ['a key too long', { key: `k${'x'.repeat(40)}` }, 'key'],
    ['an empty name', { name: '' }, 'name'],
    ['a blank name', { name: '   ' }, 'name'],
    ['a description too long', { description: 'x'.repeat(501) }, 'description'],
  ])('refuses a role with %s: 400 naming the field, nothing written', async (_case, change, field) => {
    const owner = await signUp(t)
    const before = await roleCount(owner.tenantId)
    const body = { key: 'clerk', name: 'Clerk', permissions: ['kernel.role:read'], ...change }
    const res = await call(t, owner.accessToken, 'POST', '/api/v1/roles', body)
    expect(res.statusCode).toBe(400)
    expect(res.headers['content-type']).toMatch(/problem\+json/)
    expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field)
    expect(await roleCount(owner.tenantId)).toBe(before)
  })

  it('names the unknown permission in the problem', async () => {
    const owner = await signUp(t)
    const res = await call(t, owner.accessToken, 'POST', '/api/v1/roles', {
      key: 'clerk',
      name: 'Clerk',
      permissions: ['sales.order:teleport'],
    })
    expect(res.json().errors[0]).toMatchObject({ field: 'permissions[0]', code: 'unknown_permission' })
    expect(res.json().errors[0].message).toContain('"sales.order:teleport"')
  })

  it.each([
    ['a key', { key: 'renamed' }, 'key'],
    ['an unknown permission', { permissions: ['kernel.nothing:do'] }, 'permissions[0]'],
    ['a tenant_id', { tenant_id: '0190f3a0-0000-7000-8000-000000000000' }, 'tenant_id'],
    ['nothing at all', {}, '(body)'],
  ])('refuses a change with %s: 400, nothing written', async (_case, body, field) => {
    const owner = await signUp(t)
    const role = await createRole(t, owner.accessToken, 'clerk', ['kernel.role:read'])
    const res = await call(t, owner.accessToken, 'PATCH', `/api/v1/roles/${role.id}`, body, 1)
    expect(res.statusCode).toBe(400)
    expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field)
    expect(await roleRow(owner.tenantId, 'clerk')).toMatchObject({
      version: 1,
      permissions: ['kernel.role:read'],
    })
  })
})

describe('no escalation', () => {
  /** A member who manages roles but holds nothing else of note. */
  async function roleManager(owner: SignedUp) {
    await createRole(t, owner.accessToken, 'role_admin', [
      'kernel.role:read',
      'kernel.role:create',
      'kernel.role:update',
      'kernel.role:delete',
    ])
    return addMember(t, owner, ['role_admin'])
  }

  it('a member cannot create a role granting a right they lack: 403 naming it, nothing written', async () => {
    const owner = await signUp(t)
    const manager = await roleManager(owner)
    const before = await roleCount(owner.tenantId)
    for (const permissions of [['kernel.role:read', 'kernel.member:manage'], ['*']]) {
      const res = await call(t, manager.token, 'POST', '/api/v1/roles', {
        key: 'sneaky',
        name: 'S',
        permissions,
      })
      expect(res.statusCode).toBe(403)
      expect(res.json().code).toBe('permission_not_held')
      expect(res.json().detail).toContain(permissions.length === 1 ? '(*)' : '"kernel.member:manage"')
    }
    expect(await roleCount(owner.tenantId)).toBe(before)
    // what they hold, they may hand on
    expect(
      (
        await call(t, manager.token, 'POST', '/api/v1/roles', {
          key: 'reader',
          name: 'Reader',
          permissions: ['kernel.role:read'],
        })
      ).statusCode,
    ).toBe(201)
  })

  it('a member cannot add a right they lack to their own role: 403, the role unchanged', async () => {
    const owner = await signUp(t)
    const manager = await roleManager(owner)
    const id = await roleId(owner, 'role_admin')
    const res = await call(
      t,
      manager.token,
      'PATCH',
      `/api/v1/roles/${id}`,
      { permissions: ['kernel.role:read', 'kernel.role:update', 'kernel.member:update'] },
      1,
    )
    expect(res.statusCode).toBe(403)
    expect(res.json().detail).toContain('"kernel.member:update"')
    expect((await roleRow(owner.tenantId, 'role_admin'))?.version).toBe(1)
    expect((await call(t, manager.token, 'GET', '/api/v1/members')).statusCode).toBe(403)
  })

  it("an admin can neither grant the owner's right nor change a role that holds it", async () => {
    const owner = await signUp(t)
    const admin = await addMember(t, owner, ['admin'])
    const create = await call(t, admin.token, 'POST', '/api/v1/roles', {
      key: 'co_owner',
      name: 'Co-owner',
      permissions: ['kernel.ownership:transfer'],
    })
    expect(create.statusCode).toBe(403)
    expect(create.json().detail).toContain('"kernel.ownership:transfer"')

    const heir = await createRole(t, owner.accessToken, 'heir', ['kernel.ownership:transfer'])
    const change = await call(t, admin.token, 'PATCH', `/api/v1/roles/${heir.id}`, { name: 'Nobody' }, 1)
    expect(change.statusCode).toBe(403)
    expect(change.json().code).toBe('role_outranks_you')
    expect((await call(t, admin.token, 'DELETE', `/api/v1/roles/${heir.id}`)).statusCode).toBe(403)
    expect(await roleRow(owner.tenantId, 'heir')).toMatchObject({ name: 'heir', version: 1 })
    // `*` is the admin's own, so an admin may create a role with it
    expect(
      (
        await call(t, admin.token, 'POST', '/api/v1/roles', {
          key: 'deputy',
          name: 'Deputy',
          permissions: ['*'],
        })
      ).statusCode,
    ).toBe(201)
  })

  it('an API key given a role with rights its member lacks is refused', async () => {
    const owner = await signUp(t)
    const manager = await roleManager(owner)
    const res = await call(t, manager.token, 'POST', '/api/v1/api-keys', { name: 'k', roles: ['admin'] })
    expect(res.statusCode).toBe(403)
    expect(res.json().code).toBe('permission_not_held')
  })
})

describe('tenants', () => {
  it("answers 404 for another tenant's role on every verb and changes nothing", async () => {
    const a = await signUp(t)
    const b = await signUp(t)
    const bRole = await createRole(t, b.accessToken, 'clerk', ['kernel.role:read'])
    const url = `/api/v1/roles/${bRole.id}`
    expect((await call(t, a.accessToken, 'GET', url)).statusCode).toBe(404)
    expect((await call(t, a.accessToken, 'PATCH', url, { name: 'Hijacked' }, 1)).statusCode).toBe(404)
    expect((await call(t, a.accessToken, 'DELETE', url)).statusCode).toBe(404)
    expect((await roles(a.accessToken)).map((r) => r.id)).not.toContain(bRole.id)
    expect(await roleRow(b.tenantId, 'clerk')).toMatchObject({ name: 'clerk', version: 1 })
  })

  it('refuses a malformed id with 400 and needs credentials (401)', async () => {
    const owner = await signUp(t)
    const bad = await call(t, owner.accessToken, 'GET', '/api/v1/roles/not-a-uuid')
    expect(bad.statusCode).toBe(400)
    expect(bad.json().errors[0].field).toBe('id')
    const anonymous = await t.app.inject({ method: 'GET', url: '/api/v1/roles' })
    expect(anonymous.statusCode).toBe(401)
  })
})

describe('the database', () => {
  it('refuses a membership naming a role the tenant does not have, and deleting a role in use', async () => {
    const owner = await signUp(t)
    const ghost = withTenant(t.database.db, owner.tenantId, (trx) =>
      sql`update memberships set roles = '{owner,ghost}' where user_id = ${owner.userId}`.execute(trx),
    )
    await expect(ghost).rejects.toMatchObject({ code: '23503' })
    const del = withTenant(t.database.db, owner.tenantId, (trx) =>
      sql`delete from roles where key = 'owner'`.execute(trx),
    )
    await expect(del).rejects.toMatchObject({ code: '23503' })
    const rename = withTenant(t.database.db, owner.tenantId, (trx) =>
      sql`update roles set key = 'boss' where key = 'owner'`.execute(trx),
    )
    await expect(rename).rejects.toMatchObject({ code: '23514' })
  })
})
