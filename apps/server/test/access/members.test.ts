import { withTenant } from '@tessera/kernel'
import { createTestApp, type TestApp } from '@tessera/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SignedUp, signUp } from '../auth/helpers.ts'
import { addMember, call, createRole, type Member } from './helpers.ts'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

interface MemberJson {
  id: string
  user_id: string
  roles: string[]
  permissions: string[]
  company_ids: string[]
  current_company_id: string | null
  version: number
}

const memberRow = (tenantId: string, membershipId: string) =>
  withTenant(
    t.database.db,
    tenantId,
    async (trx) =>
      (
        await sql<{ roles: string[]; version: number; companies: number }>`
      select roles, version,
             (select count(*)::int from membership_companies mc where mc.membership_id = m.id) as companies
        from memberships m where id = ${membershipId}`.execute(trx)
      ).rows[0],
  )
const patchMember = async (token: string, id: string, body: unknown, version?: number | string) =>
  call(t, token, 'PATCH', `/api/v1/members/${id}`, body, version)
const ownerMembership = async (owner: SignedUp) => {
  const me = await call(t, owner.accessToken, 'GET', '/api/v1/members/me')
  return me.json() as MemberJson & { companies: { id: string; name: string }[] }
}

/** A member who may change members' access, and read members and companies, but nothing else. */
async function memberAdmin(owner: SignedUp): Promise<Member> {
  await createRole(t, owner.accessToken, 'people', [
    'kernel.company:read',
    'kernel.member:read',
    'kernel.member:update',
  ])
  return addMember(t, owner, ['people'])
}

describe('members', () => {
  it('lists the members with their roles, rights and companies', async () => {
    const owner = await signUp(t)
    const member = await addMember(t, owner, ['user'])
    const res = await call(t, member.token, 'GET', '/api/v1/members')
    expect(res.statusCode).toBe(200)
    const data = res.json().data as (MemberJson & { email: string })[]
    expect(data.map((m) => m.user_id).sort()).toEqual([owner.userId, member.userId].sort())
    const mine = data.find((m) => m.user_id === member.userId)
    expect(mine).toMatchObject({
      id: member.membershipId,
      email: member.email,
      roles: ['user'],
      permissions: ['kernel.company:read', 'kernel.member:read'],
      status: 'active',
    })
    const own = await ownerMembership(owner)
    expect(mine?.company_ids).toEqual(own.company_ids)
    expect(own.companies).toHaveLength(1)
    expect(own.current_company_id).toBe(own.companies[0]?.id)
  })

  it('changes roles with If-Match; the member has the new rights on their next request', async () => {
    const owner = await signUp(t)
    const member = await addMember(t, owner, ['user'])
    expect((await call(t, member.token, 'GET', '/api/v1/roles')).statusCode).toBe(403)
    const res = await patchMember(owner.accessToken, member.membershipId, { roles: ['manager'] }, 1)
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ roles: ['manager'], version: 2 })
    expect(res.headers.etag).toBe('"2"')
    expect((await call(t, member.token, 'GET', '/api/v1/roles')).statusCode).toBe(200)
    const events = await withTenant(t.database.db, owner.tenantId, (trx) =>
      trx
        .selectFrom('security_events')
        .select(['user_id', 'details'])
        .where('type', '=', 'member.access_changed')
        .execute(),
    )
    expect(events).toEqual([
      {
        user_id: member.userId,
        details: expect.objectContaining({
          by: owner.userId,
          roles: { before: ['user'], after: ['manager'] },
        }),
      },
    ])
  })

  it('needs If-Match: 428 without it, 409 for a stale version; nothing written', async () => {
    const owner = await signUp(t)
    const member = await addMember(t, owner, ['user'])
    const missing = await patchMember(owner.accessToken, member.membershipId, { roles: ['manager'] })
    expect(missing.statusCode).toBe(428)
    const stale = await patchMember(owner.accessToken, member.membershipId, { roles: ['manager'] }, 5)
    expect(stale.statusCode).toBe(409)
    expect(stale.json().code).toBe('version_conflict')
    expect(await memberRow(owner.tenantId, member.membershipId)).toMatchObject({
      roles: ['user'],
      version: 1,
    })
  })

  it.each([
    ['a tenant_id', { tenant_id: '0190f3a0-0000-7000-8000-000000000000' }, 'tenant_id'],
    ['an owner flag', { owner: true }, 'owner'],
    ['permissions', { permissions: ['*'] }, 'permissions'],
    ['a state', { status: 'active' }, 'status'],
    ['a user_id', { user_id: '0190f3a0-0000-7000-8000-000000000000' }, 'user_id'],
    ['an email', { email: 'x@example.com' }, 'email'],
    ['a version', { version: 9 }, 'version'],
    ['an unknown role', { roles: ['user', 'sales'] }, 'roles[1]'],
    ['a malformed role', { roles: ["user' or '1'='1"] }, 'roles[0]'],
    ['no roles', { roles: [] }, 'roles'],
    ['a repeated role', { roles: ['user', 'user'] }, 'roles'],
    ['roles of the wrong type', { roles: 'admin' }, 'roles'],
    ['a malformed company id', { company_ids: ['not-a-uuid'] }, 'company_ids[0]'],
    ['no companies', { company_ids: [] }, 'company_ids'],
    ['nothing', {}, '(body)'],
  ])('refuses a change with %s: 400 naming the field, nothing written', async (_case, body, field) => {
    const owner = await signUp(t)
    const member = await addMember(t, owner, ['user'])
    const res = await patchMember(owner.accessToken, member.membershipId, body, 1)
    expect(res.statusCode).toBe(400)
    expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field)
    expect(await memberRow(owner.tenantId, member.membershipId)).toEqual({
      roles: ['user'],
      version: 1,
      companies: 1,
    })
  })

  it("answers 404 for another tenant's member and company, and changes nothing", async () => {
    const a = await signUp(t)
    const b = await signUp(t)
    const bMember = await addMember(t, b, ['user'])
    const aMember = await addMember(t, a, ['user'])
    expect((await call(t, a.accessToken, 'GET', `/api/v1/members/${bMember.membershipId}`)).statusCode).toBe(
      404,
    )
    expect((await patchMember(a.accessToken, bMember.membershipId, { roles: ['admin'] }, 1)).statusCode).toBe(
      404,
    )
    const bCompany = (await ownerMembership(b)).company_ids[0] as string
    const foreign = await patchMember(a.accessToken, aMember.membershipId, { company_ids: [bCompany] }, 1)
    expect(foreign.statusCode).toBe(404)
    expect(foreign.json().code).toBe('company_not_found')
    expect(await memberRow(b.tenantId, bMember.membershipId)).toMatchObject({ roles: ['user'], version: 1 })
    expect(await memberRow(a.tenantId, aMember.membershipId)).toEqual({
      roles: ['user'],
      version: 1,
      companies: 1,
    })
  })
})

describe('no escalation', () => {
  it('a member cannot add a role to themselves: 403, nothing written', async () => {
    const owner = await signUp(t)
    const hr = await memberAdmin(owner)
    for (const roles of [['people', 'user'], ['people', 'admin'], ['owner']]) {
      const res = await patchMember(hr.token, hr.membershipId, { roles }, 1)
      expect(res.statusCode, roles.join()).toBe(403)
    }
    expect(await memberRow(owner.tenantId, hr.membershipId)).toMatchObject({ roles: ['people'], version: 1 })
  })

  it('a member cannot grant a role with rights they lack, or touch someone who outranks them', async () => {
    const owner = await signUp(t)
    const hr = await memberAdmin(owner)
    const member = await addMember(t, owner, ['user'])
    const grant = await patchMember(hr.token, member.membershipId, { roles: ['admin'] }, 1)
    expect(grant.statusCode).toBe(403)
    expect(grant.json().code).toBe('permission_not_held')
    expect(grant.json().detail).toContain('"admin"')
    const demote = await patchMember(hr.token, (await ownerMembership(owner)).id, { roles: ['user'] }, 1)
    expect(demote.statusCode).toBe(403)
    expect(demote.json().code).toBe('member_outranks_you')
    expect(await memberRow(owner.tenantId, member.membershipId)).toMatchObject({
      roles: ['user'],
      version: 1,
    })
    // what hr holds, hr may grant
    expect((await patchMember(hr.token, member.membershipId, { roles: ['people'] }, 1)).statusCode).toBe(200)
    expect((await ownerMembership(owner)).roles).toEqual(['owner'])
  })

  it('an admin cannot make owners or demote them; an owner can', async () => {
    const owner = await signUp(t)
    const admin = await addMember(t, owner, ['admin'])
    const member = await addMember(t, owner, ['user'])
    const crown = await patchMember(admin.token, member.membershipId, { roles: ['owner'] }, 1)
    expect(crown.statusCode).toBe(403)
    expect(crown.json().detail).toContain('"kernel.ownership:transfer"')
    const ownerId = (await ownerMembership(owner)).id
    expect((await patchMember(admin.token, ownerId, { roles: ['admin'] }, 1)).statusCode).toBe(403)
    // an admin may grant what they hold
    expect((await patchMember(admin.token, member.membershipId, { roles: ['admin'] }, 1)).statusCode).toBe(
      200,
    )
    const made = await patchMember(owner.accessToken, member.membershipId, { roles: ['owner'] }, 2)
    expect(made.statusCode).toBe(200)
  })

  it('the last owner cannot give up ownership (422); with another owner they may step down', async () => {
    const owner = await signUp(t)
    const own = await ownerMembership(owner)
    await withTenant(t.database.db, owner.tenantId, (trx) =>
      sql`update memberships set roles = '{owner,admin}' where id = ${own.id}`.execute(trx),
    )
    const alone = await patchMember(owner.accessToken, own.id, { roles: ['admin'] }, 1)
    expect(alone.statusCode).toBe(422)
    expect(alone.json().code).toBe('last_owner')
    const heir = await addMember(t, owner, ['user'])
    expect(
      (await patchMember(owner.accessToken, heir.membershipId, { roles: ['owner'] }, 1)).statusCode,
    ).toBe(200)
    // dropping a role narrows one's own access: allowed; adding one is not
    const add = await patchMember(owner.accessToken, own.id, { roles: ['owner', 'admin', 'manager'] }, 1)
    expect(add.statusCode).toBe(403)
    expect(add.json().code).toBe('cannot_raise_own_access')
    expect((await patchMember(owner.accessToken, own.id, { roles: ['admin'] }, 1)).statusCode).toBe(200)
    expect((await ownerMembership(owner)).roles).toEqual(['admin'])
  })

  it('an administrator grants only companies they are allowed in (others: 404)', async () => {
    const owner = await signUp(t)
    const created = await call(t, owner.accessToken, 'POST', '/api/v1/companies', {
      name: 'Second Ltd',
      currency: 'GBP',
    })
    expect(created.statusCode).toBe(201)
    const second = created.json().id as string
    const admin = await addMember(t, owner, ['admin'])
    const member = await addMember(t, owner, ['user'])
    const first = (await ownerMembership(owner)).company_ids.find((c) => c !== second) as string
    // new members are allowed in every company; the owner narrows both to the first
    for (const m of [admin, member]) {
      const res = await patchMember(owner.accessToken, m.membershipId, { company_ids: [first] }, 1)
      expect(res.json()).toMatchObject({ company_ids: [first], current_company_id: first, version: 2 })
    }
    const res = await patchMember(admin.token, member.membershipId, { company_ids: [first, second] }, 2)
    expect(res.statusCode).toBe(404)
    expect(res.json().code).toBe('company_not_found')
    expect(await memberRow(owner.tenantId, member.membershipId)).toMatchObject({ version: 2, companies: 1 })
    expect(
      (await patchMember(owner.accessToken, member.membershipId, { company_ids: [first, second] }, 2))
        .statusCode,
    ).toBe(200)
  })
})
