import { createTestApp, type TestApp } from '@tessera/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SignedUp, signUp } from '../auth/helpers.ts'
import { create, tenantWith } from '../entities/helpers.ts'
import { catalogModule } from '../fixtures/modules/catalog.ts'
import { addMember, call, createRole, type Member } from './helpers.ts'

/**
 * A role grants rows and fields as well as permissions: a member whose own record rules (or field
 * rules) limit them cannot hand out a role that opens more, unless they may manage rules anyway.
 */

let t: TestApp
beforeAll(async () => {
  // catalog.order_line is a child entity: read through catalog.order's right
  t = await createTestApp({ modules: [catalogModule] })
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

describe("rules on a child entity are judged by its parent's read right, as reads judge them", () => {
  const LINE = 'catalog.order_line'
  const BIG = 'quantity >= 10'

  async function rule(owner: SignedUp, path: string, body: Record<string, string>) {
    const res = await call(t, owner.accessToken, 'POST', `/api/v1/access/${path}`, { entity: LINE, ...body })
    expect(res.statusCode, res.body).toBe(201)
  }

  /** A manager who reads orders and sees only their big lines, a member alike, and a line reader without rules. */
  async function catalogTenant(extraManagerPermissions: string[] = []) {
    const owner = await tenantWith(t, ['catalog'])
    const lines = ['catalog.order:read']
    await createRole(t, owner.accessToken, 'big_lines', [...ADMINISTER, ...lines, ...extraManagerPermissions])
    await createRole(t, owner.accessToken, 'big_viewer', lines)
    await createRole(t, owner.accessToken, 'big_clerk', lines)
    await createRole(t, owner.accessToken, 'line_reader', lines)
    for (const role of ['big_lines', 'big_viewer', 'big_clerk'])
      await rule(owner, 'record-rules', { role, filter: BIG })
    return {
      owner,
      manager: await addMember(t, owner, ['big_lines']),
      member: await addMember(t, owner, ['big_viewer']),
    }
  }

  it('record rules: a role reading the lines through catalog.order:read without their rule is refused', async () => {
    const { owner, manager, member } = await catalogTenant()
    const refused = await grant(manager, member, ['big_viewer', 'line_reader'], 1)
    expect(refused.statusCode, refused.body).toBe(403)
    expect(refused.json()).toMatchObject({ code: 'record_rules_not_held' })
    expect(refused.json().detail).toContain(`The role "line_reader" has no record rule for ${LINE}`)
    expect(await memberOf(owner, member)).toEqual(
      expect.objectContaining({ roles: ['big_viewer'], version: 1 }),
    )
    const email = `lines-${Math.random().toString(36).slice(2)}@example.com`
    const invited = await call(t, manager.token, 'POST', '/api/v1/members', { email, roles: ['line_reader'] })
    expect(invited.statusCode).toBe(403)
    expect(invited.json().code).toBe('record_rules_not_held')

    // the same rule on the lines opens nothing more
    expect((await grant(manager, member, ['big_viewer', 'big_clerk'], 1)).statusCode).toBe(200)
  })

  it("record rules: a role gaining the parent's read right is judged on the child's rules", async () => {
    const { owner, manager } = await catalogTenant([
      'kernel.role:read',
      'kernel.role:create',
      'kernel.role:update',
    ])
    const created = await call(t, manager.token, 'POST', '/api/v1/roles', {
      key: 'wide_lines',
      name: 'wide_lines',
      permissions: ['catalog.order:read'],
    })
    expect(created.statusCode, created.body).toBe(403)
    expect(created.json()).toMatchObject({ code: 'record_rules_not_held' })
    expect(created.json().detail).toContain(LINE)

    const blank = await call(t, manager.token, 'POST', '/api/v1/roles', {
      key: 'blank',
      name: 'blank',
      permissions: ['kernel.member:read'],
    })
    expect(blank.statusCode, blank.body).toBe(201)
    const url = `/api/v1/roles/${blank.json().id}`
    const widen = { permissions: ['kernel.member:read', 'catalog.order:read'] }
    const refused = await call(t, manager.token, 'PATCH', url, widen, 1)
    expect(refused.statusCode).toBe(403)
    expect(refused.json().code).toBe('record_rules_not_held')
    await rule(owner, 'record-rules', { role: 'blank', filter: BIG })
    expect((await call(t, manager.token, 'PATCH', url, widen, 1)).statusCode).toBe(200)
  })

  it('field rules: a role leaving open a line field every role of the granter hides is refused', async () => {
    const { owner, manager, member } = await catalogTenant()
    for (const role of ['big_lines', 'big_viewer'])
      await rule(owner, 'field-rules', { role, field: 'item', access: 'hidden' })
    const open = await grant(manager, member, ['big_viewer', 'big_clerk'], 1)
    expect(open.statusCode, open.body).toBe(403)
    expect(open.json()).toMatchObject({ code: 'field_rules_not_held' })
    expect(open.json().detail).toContain(`${LINE}.item`)

    await rule(owner, 'field-rules', { role: 'big_clerk', field: 'item', access: 'hidden' })
    expect((await grant(manager, member, ['big_viewer', 'big_clerk'], 1)).statusCode).toBe(200)
  })

  it('explain judges a line by catalog.order:read too, and agrees with what the member reads', async () => {
    const { owner, member } = await catalogTenant()
    const item = await create(t, owner.accessToken, 'catalog-items', { name: 'Bolt', kind: 'good' })
    const order = await create(t, owner.accessToken, 'catalog-orders', {
      customer: 'Lines SA',
      ordered_on: '2026-01-01',
      lines: [
        { item: item.id, quantity: '20' },
        { item: item.id, quantity: '1' },
      ],
    })
    const linesAs = async (token: string) => {
      const res = await call(t, token, 'GET', `/api/v1/catalog-orders/${order.id}?include=lines`)
      expect(res.statusCode, res.body).toBe(200)
      return res.json().lines as { id: string; quantity: string }[]
    }
    const seen = (await linesAs(member.token)).map((l) => l.id)
    const lines = (await linesAs(owner.accessToken)).map((l) => ({ ...l, seen: seen.includes(l.id) }))
    expect(lines.map((l) => [Number(l.quantity), l.seen]).sort()).toEqual([
      [1, false],
      [20, true],
    ])
    for (const line of lines) {
      const res = await call(
        t,
        owner.accessToken,
        'GET',
        `/api/v1/access/explain?entity=${LINE}&id=${line.id}&member=${member.userId}`,
      )
      expect(res.statusCode, res.body).toBe(200)
      expect(res.json()).toMatchObject({
        can_read: line.seen,
        roles: [{ role: 'big_viewer', reason: line.seen ? 'record_rule_matches' : 'no_record_rule_matches' }],
      })
    }
  })
})
