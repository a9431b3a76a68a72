import { createTestApp, type TestApp } from '@tessera/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SignedUp, signUp } from '../auth/helpers.ts'
import { addMember, call, createRole, type Member } from './helpers.ts'

/**
 * A role grants rows and fields as well as permissions: a member whose own record rules (or field
 * rules) limit them cannot hand out a role that opens more, unless they may manage rules anyway.
 */

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

const FRANCE = "country = 'FR'"
const ADMINISTER = ['kernel.member:read', 'kernel.member:update', 'kernel.company:read']

async function recordRule(owner: SignedUp, role: string, filter: string) {
  const res = await call(t, owner.accessToken, 'POST', '/api/v1/access/record-rules', {
    role,
    entity: 'kernel.company',
    filter,
  })
  expect(res.statusCode, res.body).toBe(201)
}

async function fieldRule(owner: SignedUp, role: string, field: string, access: 'hidden' | 'read_only') {
  const res = await call(t, owner.accessToken, 'POST', '/api/v1/access/field-rules', {
    role,
    entity: 'kernel.company',
    field,
    access,
  })
  expect(res.statusCode, res.body).toBe(201)
  return res.json() as { id: string }
}

/** A role made by the owner, with record rules on kernel.company (none when `filters` is empty). */
async function roleWith(owner: SignedUp, key: string, permissions: string[], filters: string[]) {
  const role = await createRole(t, owner.accessToken, key, permissions)
  for (const filter of filters) await recordRule(owner, key, filter)
  return role
}

interface Tenant {
  owner: SignedUp
  /** administers members, and sees only French companies */
  manager: Member
  /** holds fr_viewer */
  member: Member
}

async function tenant(extraManagerPermissions: string[] = []): Promise<Tenant> {
  const owner = await signUp(t)
  await roleWith(owner, 'fr_people', [...ADMINISTER, ...extraManagerPermissions], [FRANCE])
  await roleWith(owner, 'fr_viewer', ['kernel.company:read'], [FRANCE])
  await roleWith(owner, 'fr_clerk', ['kernel.member:read', 'kernel.company:read'], [FRANCE])
  await roleWith(owner, 'de_viewer', ['kernel.company:read'], ["country = 'DE'"])
  await roleWith(owner, 'narrow_viewer', ['kernel.company:read'], [`${FRANCE} and name = 'Paris SA'`])
  return {
    owner,
    manager: await addMember(t, owner, ['fr_people']),
    member: await addMember(t, owner, ['fr_viewer']),
  }
}

const grant = (by: Member | SignedUp, member: Member, roles: string[], version: number) =>
  call(
    t,
    'token' in by ? by.token : by.accessToken,
    'PATCH',
    `/api/v1/members/${member.membershipId}`,
    { roles },
    version,
  )
const memberOf = async (owner: SignedUp, member: Member) =>
  (await call(t, owner.accessToken, 'GET', `/api/v1/members/${member.membershipId}`)).json() as {
    roles: string[]
    version: number
  }

describe('record rules bound what a member may grant', () => {
  it('refuses a role without rules (or with other rules) for an entity the granter sees only part of', async () => {
    const { owner, manager, member } = await tenant()
    for (const [role, detail] of [
      ['user', 'The role "user" has no record rule for kernel.company'],
      ['de_viewer', `"country = 'DE'"`],
      // narrower in meaning, but filters are compared as written: refused, an administrator can grant it
      ['narrow_viewer', 'narrow_viewer'],
    ] as const) {
      const res = await grant(manager, member, ['fr_viewer', role], 1)
      expect(res.statusCode, role).toBe(403)
      expect(res.json()).toMatchObject({ code: 'record_rules_not_held' })
      expect(res.json().detail).toContain(detail)
    }
    expect(await memberOf(owner, member)).toEqual(
      expect.objectContaining({ roles: ['fr_viewer'], version: 1 }),
    )

    // a role whose rules are the granter's own opens nothing more
    expect((await grant(manager, member, ['fr_viewer', 'fr_clerk'], 1)).statusCode).toBe(200)
    // taking a role away only narrows
    expect((await grant(manager, member, ['fr_clerk'], 2)).statusCode).toBe(200)
    // the owner manages rules: not bound by them
    expect((await grant(owner, member, ['fr_clerk', 'user'], 3)).statusCode).toBe(200)
  })

  it('binds invitations the same way, writing nothing', async () => {
    const { owner, manager } = await tenant()
    const email = `fr-${Math.random().toString(36).slice(2)}@example.com`
    const refused = await call(t, manager.token, 'POST', '/api/v1/members', { email, roles: ['user'] })
    expect(refused.statusCode).toBe(403)
    expect(refused.json().code).toBe('record_rules_not_held')
    const members = await call(t, owner.accessToken, 'GET', '/api/v1/members')
    expect(members.json().data.map((m: { email: string }) => m.email)).not.toContain(email)
    const ok = await call(t, manager.token, 'POST', '/api/v1/members', { email, roles: ['fr_viewer'] })
    expect(ok.statusCode, ok.body).toBe(201)
  })

  it('binds the permissions a role gains: a role without rules may not gain rights on that entity', async () => {
    const { owner, manager } = await tenant(['kernel.role:read', 'kernel.role:create', 'kernel.role:update'])
    const create = (key: string, permissions: string[]) =>
      call(t, manager.token, 'POST', '/api/v1/roles', { key, name: key, permissions })
    const created = await create('wide_reader', ['kernel.company:read'])
    expect(created.statusCode).toBe(403)
    expect(created.json().code).toBe('record_rules_not_held')
    // an entity the manager is not limited on is no concern
    const blank = await create('blank', ['kernel.member:read'])
    expect(blank.statusCode).toBe(201)

    const url = `/api/v1/roles/${blank.json().id}`
    const widen = { permissions: ['kernel.member:read', 'kernel.company:read'] }
    const refused = await call(t, manager.token, 'PATCH', url, widen, 1)
    expect(refused.statusCode).toBe(403)
    expect(refused.json().code).toBe('record_rules_not_held')
    expect((await call(t, owner.accessToken, 'GET', url)).json()).toMatchObject({
      permissions: ['kernel.member:read'],
      version: 1,
    })
    await recordRule(owner, 'blank', FRANCE)
    expect((await call(t, manager.token, 'PATCH', url, widen, 1)).statusCode).toBe(200)
  })

  it('exempts members who may manage access rules: they could lift their own rules anyway', async () => {
    const { owner, member } = await tenant()
    await roleWith(owner, 'fr_rules', [...ADMINISTER, 'kernel.access_rule:manage'], [FRANCE])
    const steward = await addMember(t, owner, ['fr_rules'])
    const res = await grant(steward, member, ['fr_viewer', 'user'], 1)
    expect(res.statusCode, res.body).toBe(200)
  })
})

describe('field rules bound what a member may grant', () => {
  it('refuses a role that shows (or lets change) a field every role of the granter restricts', async () => {
    const { owner, manager, member } = await tenant()
    await fieldRule(owner, 'fr_people', 'currency', 'hidden')
    const open = await grant(manager, member, ['fr_viewer', 'fr_clerk'], 1)
    expect(open.statusCode).toBe(403)
    expect(open.json()).toMatchObject({ code: 'field_rules_not_held' })
    expect(open.json().detail).toContain('kernel.company.currency')

    const visible = await fieldRule(owner, 'fr_clerk', 'currency', 'read_only')
    expect((await grant(manager, member, ['fr_viewer', 'fr_clerk'], 1)).json().code).toBe(
      'field_rules_not_held',
    )
    const hidden = await call(t, owner.accessToken, 'PATCH', `/api/v1/access/field-rules/${visible.id}`, {
      access: 'hidden',
    })
    expect(hidden.statusCode).toBe(200)
    expect((await grant(manager, member, ['fr_viewer', 'fr_clerk'], 1)).statusCode).toBe(200)
  })
})
