import {
  addUserToTenant,
  assertWritable,
  createCompany,
  explainAccess,
  fieldAccess,
  maskRecord,
  NotFound,
  newId,
  type RuleSubject,
  recordScope,
  rulesTx,
  type Tx,
  withTenant,
} from '@tessera/kernel'
import { createTestApp, type TestApp } from '@tessera/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { actorOf, authenticated } from '../../src/auth/actor.ts'
import { bearer, type SignedUp, STRONG_PASSWORD, signUp } from '../auth/helpers.ts'
import { createRole } from './helpers.ts'

let t: TestApp

/**
 * A stand-in for the entity engine's generic routes: companies read through recordScope and
 * maskRecord, and changed through assertWritable and the same scope.
 */
function addFixtureRoutes(app: TestApp['app']) {
  const preHandler = authenticated(t.identity)
  app.get('/test/companies', { preHandler }, async (request) => {
    const actor = actorOf(request)
    return withTenant(t.database.db, actor.tenantId, async (trx) => {
      const scope = await recordScope(trx, actor, 'kernel.company', 'c')
      const access = await fieldAccess(trx, actor, 'kernel.company')
      const rows = await trx
        .selectFrom('companies as c')
        .selectAll('c')
        .where(scope)
        .orderBy('c.name')
        .execute()
      return { data: rows.map((row) => maskRecord(row, access)) }
    })
  })
  app.patch('/test/companies/:id', { preHandler }, async (request) => {
    const actor = actorOf(request)
    const { id } = request.params as { id: string }
    const body = request.body as Record<string, string>
    return withTenant(t.database.db, actor.tenantId, async (trx) => {
      const access = await fieldAccess(trx, actor, 'kernel.company')
      assertWritable(body, access)
      const scope = await recordScope(trx, actor, 'kernel.company')
      const updated = await trx
        .updateTable('companies')
        .set(body)
        .where('id', '=', id)
        .where(scope)
        .returningAll()
        .executeTakeFirst()
      if (!updated) throw new NotFound('No such company.')
      return maskRecord(updated, access)
    })
  })
}

beforeAll(async () => {
  t = await createTestApp()
  addFixtureRoutes(t.app)
})
afterAll(() => t.close())

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE'
const call = (token: string, method: Method, url: string, payload?: unknown) =>
  t.app.inject({
    method,
    url,
    headers: bearer(token),
    ...(payload === undefined ? {} : { payload: payload as object }),
  })

/** What the test roles grant: reading the entities the rules are written for, no more. */
const READS = ['kernel.company:read', 'kernel.member:read']
/** A role granting no right at all: rules and masks must ignore it (see readingRoles). */
const NO_RIGHTS = 'outsider'

/**
 * Role keys a member holds must name roles of the tenant (0009_roles.sql); these are created with
 * the read rights of the rules' entities (NO_RIGHTS with none), as rules only combine over roles
 * that may read the entity.
 */
async function ensureRoles(owner: SignedUp, keys: readonly string[]) {
  await inTenant(owner, async (trx) => {
    for (const key of keys) {
      const permissions = key === NO_RIGHTS ? [] : READS
      await sql`insert into roles (tenant_id, id, key, name, permissions)
        values (${owner.tenantId}, ${newId()}, ${key}, ${key}, ${permissions})
        on conflict do nothing`.execute(trx)
    }
  })
}

let counter = 0
/** A member of the owner's tenant with these roles, signed in. */
async function member(owner: SignedUp, roles: string[]) {
  counter += 1
  await ensureRoles(owner, roles)
  const email = `rules-${counter}-${Math.random().toString(36).slice(2)}@example.com`
  const { user, membership } = await addUserToTenant(t.database.db, {
    tenantId: owner.tenantId,
    email,
    name: `Member ${counter}`,
    password: STRONG_PASSWORD,
    roles,
  })
  const login = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password: STRONG_PASSWORD },
  })
  if (login.statusCode !== 200) throw new Error(`login failed: ${login.body}`)
  return { userId: user.id, membershipId: membership.id, token: login.json().access_token as string }
}

const inTenant = <T>(owner: SignedUp, fn: (trx: Tx) => Promise<T>) =>
  withTenant(t.database.db, owner.tenantId, fn)

async function company(owner: SignedUp, name: string, extra: Record<string, string> = {}, by?: string) {
  return inTenant(owner, (trx) => createCompany(trx, owner.tenantId, { name, currency: 'EUR', ...extra }, by))
}

async function recordRule(owner: SignedUp, role: string, filter: string, entity = 'kernel.company') {
  const res = await call(owner.accessToken, 'POST', '/api/v1/access/record-rules', { role, entity, filter })
  expect(res.statusCode, res.body).toBe(201)
  return res.json() as { id: string }
}

async function fieldRule(owner: SignedUp, role: string, field: string, access: string) {
  const res = await call(owner.accessToken, 'POST', '/api/v1/access/field-rules', {
    role,
    entity: 'kernel.company',
    field,
    access,
  })
  expect(res.statusCode, res.body).toBe(201)
  return res.json() as { id: string }
}

const ruleCount = (owner: SignedUp) =>
  inTenant(owner, async (trx) => {
    const db = rulesTx(trx)
    const records = await db
      .selectFrom('record_rules')
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow()
    const fields = await db
      .selectFrom('field_rules')
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow()
    return records.n + fields.n
  })

const names = (res: { json(): { data: { name: string }[] } }) =>
  res
    .json()
    .data.map((c) => c.name)
    .sort()

describe('saving rules', () => {
  const rule = (overrides: Record<string, unknown>) => ({
    role: 'user',
    entity: 'kernel.company',
    filter: "name = 'x'",
    ...overrides,
  })
  it.each([
    ['an unknown field', rule({ filter: 'salary > 1000' }), 'filter', 'unknown_field'],
    [
      'an unknown field through the JSON form',
      rule({ filter: '{"field":"salary","op":"eq","value":"1"}' }),
      'filter',
      'unknown_field',
    ],
    ['a SQL fragment', rule({ filter: "name = 'x'; drop table companies" }), 'filter', 'syntax'],
    ['a SQL tautology', rule({ filter: "name = 'x' or 1=1 --" }), 'filter', 'syntax'],
    ['a subquery', rule({ filter: 'id in (select id from companies)' }), 'filter', 'syntax'],
    ['a wrong type (text for a number)', rule({ filter: "version = 'abc'" }), 'filter', 'invalid_value'],
    ['a wrong type (number for a date-time)', rule({ filter: 'created_at > 5' }), 'filter', 'invalid_value'],
    ['a list variable with =', rule({ filter: 'id = $user.company_ids' }), 'filter', 'invalid_value'],
    ['an unknown variable', rule({ filter: 'created_by = $user.password' }), 'filter', 'unknown_variable'],
    ['an unknown operator', rule({ filter: "name like 'x%'" }), 'filter', 'syntax'],
    [
      'an unknown operator in JSON',
      rule({ filter: '{"field":"name","op":"regex","value":"x"}' }),
      'filter',
      'syntax',
    ],
    [
      'an operator that does not suit the type',
      rule({ filter: "created_by contains 'a'" }),
      'filter',
      'invalid_operator',
    ],
    ['an empty filter', rule({ filter: '' }), 'filter', 'minLength'],
    [
      'a filter over 4000 characters',
      rule({ filter: `name = '${'x'.repeat(4000)}'` }),
      'filter',
      'maxLength',
    ],
    ['an unknown entity', rule({ entity: 'kernel.nothing' }), 'entity', 'unknown_entity'],
    ['a malformed entity key', rule({ entity: 'companies; --' }), 'entity', 'pattern'],
    ['a malformed role', rule({ role: 'Admin Role' }), 'role', 'pattern'],
    [
      'a tenant_id in the body',
      rule({ tenant_id: '0190a4b2-0000-7000-8000-000000000001' }),
      'tenant_id',
      'unknown_field',
    ],
    ['a missing filter', { role: 'user', entity: 'kernel.company' }, 'filter', 'required'],
  ])(
    'a record rule with %s is refused with 400 naming the field, nothing written',
    async (_, body, field, code) => {
      const owner = await signUp(t)
      const res = await call(owner.accessToken, 'POST', '/api/v1/access/record-rules', body)
      expect(res.statusCode, res.body).toBe(400)
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(res.json().errors).toContainEqual(expect.objectContaining({ field, code }))
      expect(await ruleCount(owner)).toBe(0)
    },
  )

  const fieldBody = (overrides: Record<string, unknown>) => ({
    role: 'user',
    entity: 'kernel.company',
    field: 'currency',
    access: 'hidden',
    ...overrides,
  })
  it.each([
    ['an unknown field', fieldBody({ field: 'salary' }), 'field', 'unknown_field'],
    ['the key field', fieldBody({ field: 'id' }), 'field', 'key_field'],
    ['an unknown entity', fieldBody({ entity: 'crm.deal' }), 'entity', 'unknown_entity'],
    ['an unknown access', fieldBody({ access: 'write_only' }), 'access', 'anyOf'],
    [
      'a SQL fragment as the field',
      fieldBody({ field: 'currency; drop table companies' }),
      'field',
      'pattern',
    ],
  ])(
    'a field rule with %s is refused with 400 naming the field, nothing written',
    async (_, body, field, code) => {
      const owner = await signUp(t)
      const res = await call(owner.accessToken, 'POST', '/api/v1/access/field-rules', body)
      expect(res.statusCode, res.body).toBe(400)
      expect(res.json().errors).toContainEqual(expect.objectContaining({ field, code }))
      expect(await ruleCount(owner)).toBe(0)
    },
  )

  it('a change is validated again as a whole; a bad one is refused and the rule stays as it was', async () => {
    const owner = await signUp(t)
    const created = await recordRule(owner, 'user', 'created_by = $user.id')
    const url = `/api/v1/access/record-rules/${created.id}`
    const bad = await call(owner.accessToken, 'PATCH', url, { filter: 'owner_id = $user.id' })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().errors[0].field).toBe('filter')
    const moved = await call(owner.accessToken, 'PATCH', url, { entity: 'kernel.member' })
    expect(moved.statusCode).toBe(400) // created_by is no field of kernel.member
    const kept = await call(owner.accessToken, 'GET', url)
    expect(kept.json()).toMatchObject({
      entity: 'kernel.company',
      filter: 'created_by = $user.id',
      version: 1,
    })

    const good = await call(owner.accessToken, 'PATCH', url, {
      filter: "country = 'FR'",
      description: 'France',
    })
    expect(good.statusCode).toBe(200)
    expect(good.json()).toMatchObject({ filter: "country = 'FR'", description: 'France', version: 2 })
    const list = await call(owner.accessToken, 'GET', '/api/v1/access/record-rules?entity=kernel.company')
    expect(list.json().data).toHaveLength(1)
    expect((await call(owner.accessToken, 'DELETE', url)).statusCode).toBe(204)
    expect((await call(owner.accessToken, 'GET', url)).statusCode).toBe(404)
  })

  it('a second field rule for the same role and field is a 409; nothing written', async () => {
    const owner = await signUp(t)
    await fieldRule(owner, 'user', 'currency', 'hidden')
    const again = await call(owner.accessToken, 'POST', '/api/v1/access/field-rules', {
      role: 'user',
      entity: 'kernel.company',
      field: 'currency',
      access: 'read_only',
    })
    expect(again.statusCode).toBe(409)
    expect(again.json().errors[0].field).toBe('field')
    expect(await ruleCount(owner)).toBe(1)
  })

  it('another tenant’s rule ids answer 404 and stay untouched', async () => {
    const owner = await signUp(t)
    const other = await signUp(t)
    const record = await recordRule(owner, 'user', "country = 'FR'")
    const field = await fieldRule(owner, 'user', 'currency', 'hidden')
    for (const url of [
      `/api/v1/access/record-rules/${record.id}`,
      `/api/v1/access/field-rules/${field.id}`,
    ]) {
      expect((await call(other.accessToken, 'GET', url)).statusCode).toBe(404)
      expect((await call(other.accessToken, 'PATCH', url, { role: 'admin' })).statusCode).toBe(404)
      expect((await call(other.accessToken, 'DELETE', url)).statusCode).toBe(404)
      expect((await call(owner.accessToken, 'GET', url)).json().role).toBe('user')
    }
    expect((await call(other.accessToken, 'GET', '/api/v1/access/record-rules')).json().data).toEqual([])
  })

  it('needs kernel.access_rule:read to read rules, :manage to change them, kernel.access:explain to explain', async () => {
    const owner = await signUp(t)
    const rule = await recordRule(owner, 'user', "country = 'FR'")
    const field = await fieldRule(owner, 'user', 'currency', 'hidden')
    const explained = await company(owner, 'Explained SA')
    for (const [key, permission] of [
      ['rule_reader', 'kernel.access_rule:read'],
      ['rule_writer', 'kernel.access_rule:manage'],
      ['explainer', 'kernel.access:explain'],
    ])
      await createRole(t, owner.accessToken, key as string, [permission as string])
    const plain = await member(owner, ['user'])
    const holders = {
      none: plain,
      read: await member(owner, ['rule_reader']),
      manage: await member(owner, ['rule_writer']),
      explain: await member(owner, ['explainer']),
    }
    const body = { role: 'user', entity: 'kernel.company', filter: 'name is not null' }
    const explain = `/api/v1/access/explain?entity=kernel.company&id=${explained.id}&member=${plain.userId}`
    // [method, url, body, the right it needs, the answer to a member who holds it]
    const requests = [
      ['GET', '/api/v1/access/record-rules', undefined, 'read', 200],
      ['GET', `/api/v1/access/record-rules/${rule.id}`, undefined, 'read', 200],
      ['GET', '/api/v1/access/field-rules', undefined, 'read', 200],
      ['GET', `/api/v1/access/field-rules/${field.id}`, undefined, 'read', 200],
      ['POST', '/api/v1/access/record-rules', body, 'manage', 201],
      ['POST', '/api/v1/access/record-rules', { filter: 'bad; drop table companies' }, 'manage', 400],
      ['PATCH', `/api/v1/access/record-rules/${rule.id}`, { description: 'France' }, 'manage', 200],
      [
        'POST',
        '/api/v1/access/field-rules',
        { role: 'user', entity: 'kernel.company', field: 'name', access: 'read_only' },
        'manage',
        201,
      ],
      ['PATCH', `/api/v1/access/field-rules/${field.id}`, { access: 'read_only' }, 'manage', 200],
      ['GET', explain, undefined, 'explain', 200],
      ['GET', '/api/v1/access/explain?entity=nothing', undefined, 'explain', 400],
    ] as const
    const names = {
      read: 'kernel.access_rule:read',
      manage: 'kernel.access_rule:manage',
      explain: 'kernel.access:explain',
    }
    // those who may not change rules first: nothing they send may be written
    for (const holder of ['none', 'read', 'explain', 'manage'] as const) {
      if (holder === 'manage') expect(await ruleCount(owner)).toBe(2)
      for (const [method, url, payload, needs, answer] of requests) {
        const res = await call(holders[holder].token, method, url, payload)
        const where = `${holder}: ${method} ${url}`
        if (holder === needs) {
          expect(res.statusCode, `${where} ${res.body}`).toBe(answer)
        } else {
          expect(res.statusCode, where).toBe(403)
          expect(res.json().code, where).toBe('permission_required')
          expect(res.json().detail, where).toContain(`"${names[needs]}"`)
        }
      }
    }
    expect(await ruleCount(owner)).toBe(4)
    for (const url of [`/api/v1/access/record-rules/${rule.id}`, `/api/v1/access/field-rules/${field.id}`]) {
      expect((await call(holders.read.token, 'DELETE', url)).statusCode).toBe(403)
      expect((await call(holders.manage.token, 'DELETE', url)).statusCode).toBe(204)
    }
    expect(await ruleCount(owner)).toBe(2)
  })
})

describe('record rules restrict rows', () => {
  it('an owner-style rule (created_by = $user.id) shows a member only their own companies', async () => {
    const owner = await signUp(t)
    const clerk = await member(owner, ['clerk'])
    await company(owner, 'Mine', {}, clerk.userId)
    await company(owner, 'Theirs', {}, owner.userId)
    await recordRule(owner, 'clerk', 'created_by = $user.id')
    expect(names(await call(clerk.token, 'GET', '/test/companies'))).toEqual(['Mine'])
    // the owner's role has no rule: every company, including the one created at sign-up
    expect(names(await call(owner.accessToken, 'GET', '/test/companies'))).toHaveLength(3)
  })

  it('a company-style rule (id in $user.company_ids) follows the allowed companies', async () => {
    const owner = await signUp(t)
    const a = await company(owner, 'Alpha')
    const b = await company(owner, 'Beta')
    await recordRule(owner, 'branch', 'id in $user.company_ids')
    await ensureRoles(owner, ['branch'])
    const visible = (subject: RuleSubject) =>
      inTenant(owner, async (trx) => {
        const scope = await recordScope(trx, subject, 'kernel.company', 'c')
        const rows = await trx.selectFrom('companies as c').select('name').where(scope).execute()
        return rows.map((r) => r.name).sort()
      })
    expect(await visible({ userId: owner.userId, roles: ['branch'], companyIds: [a.id] })).toEqual(['Alpha'])
    expect(await visible({ userId: owner.userId, roles: ['branch'], companyIds: [] })).toEqual([])
    // no allowed companies given (multi-company not configured): every company of the tenant
    expect(await visible({ userId: owner.userId, roles: ['branch'] })).toHaveLength(3)
    expect(await visible({ userId: owner.userId, roles: [] })).toEqual([])

    // explain evaluates it with the member's allowed companies, read as authentication reads them
    const clerk = await member(owner, ['branch'])
    const explained = await inTenant(owner, (trx) =>
      explainAccess(
        trx,
        { entity: 'kernel.company', id: a.id, member: clerk.userId },
        { companyIdsOf: async () => [b.id] },
      ),
    )
    expect(explained).toMatchObject({ can_read: false, roles: [{ role: 'branch', grants_read: false }] })
  })

  it('roles add up: a member sees what any of their roles allows; a role without rules allows all', async () => {
    const owner = await signUp(t)
    await company(owner, 'Oslo', { country: 'NO' })
    await company(owner, 'Madrid', { country: 'ES' })
    await company(owner, 'Lyon', { country: 'FR' })
    await recordRule(owner, 'north', "country = 'NO'")
    await recordRule(owner, 'south', "country = 'ES'")
    await recordRule(owner, 'south', "name starts_with 'Ly'") // a second rule of one role adds up too
    const north = await member(owner, ['north'])
    const both = await member(owner, ['north', 'south'])
    const wide = await member(owner, ['north', 'viewer'])
    expect(names(await call(north.token, 'GET', '/test/companies'))).toEqual(['Oslo'])
    expect(names(await call(both.token, 'GET', '/test/companies'))).toEqual(['Lyon', 'Madrid', 'Oslo'])
    expect(names(await call(wide.token, 'GET', '/test/companies'))).toHaveLength(4)
  })

  it('a role that does not grant reading the entity neither widens the rows nor unmasks fields', async () => {
    const owner = await signUp(t)
    await company(owner, 'Oslo', { country: 'NO' })
    await company(owner, 'Madrid', { country: 'ES' })
    await recordRule(owner, 'north', "country = 'NO'")
    await fieldRule(owner, 'north', 'country', 'hidden')
    const both = await member(owner, ['north', NO_RIGHTS])
    const res = await call(both.token, 'GET', '/test/companies')
    expect(names(res)).toEqual(['Oslo'])
    expect(res.json().data[0]).not.toHaveProperty('country')
    const oslo = await inTenant(owner, (trx) =>
      trx.selectFrom('companies').select('id').where('name', '=', 'Oslo').executeTakeFirstOrThrow(),
    )
    const explained = await inTenant(owner, (trx) =>
      explainAccess(trx, { entity: 'kernel.company', id: oslo.id, member: both.userId }),
    )
    expect(explained.roles).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ role: NO_RIGHTS, grants_read: false, reason: 'no_read_permission' }),
        expect.objectContaining({ role: 'north', grants_read: true, reason: 'record_rule_matches' }),
      ]),
    )
    expect(explained.fields.hidden).toContain('country')
  })

  it('rules on kernel.member compile against memberships joined to users', async () => {
    const owner = await signUp(t)
    const sales = await member(owner, ['sales'])
    await member(owner, ['support'])
    await recordRule(
      owner,
      'sales',
      "roles in $user.roles and status = 'active' and email contains 'rules-'",
      'kernel.member',
    )
    const seen = await inTenant(owner, async (trx) => {
      const scope = await recordScope(trx, { userId: sales.userId, roles: ['sales'] }, 'kernel.member', 'm')
      return rulesTx(trx).selectFrom('member_directory as m').select('user_id').where(scope).execute()
    })
    expect(seen.map((m) => m.user_id)).toEqual([sales.userId])
  })

  it('a stored rule that no longer validates allows nothing, and explain says why', async () => {
    const owner = await signUp(t)
    const clerk = await member(owner, ['clerk'])
    const rule = await recordRule(owner, 'clerk', "country = 'FR'")
    // as if the entity lost a field after the rule was saved
    await inTenant(owner, (trx) =>
      rulesTx(trx)
        .updateTable('record_rules')
        .set({ filter: "region = 'North'" })
        .where('id', '=', rule.id)
        .execute(),
    )
    expect(names(await call(clerk.token, 'GET', '/test/companies'))).toEqual([])
    const first = (await call(owner.accessToken, 'GET', '/test/companies')).json().data[0]
    const res = await call(
      owner.accessToken,
      'GET',
      `/api/v1/access/explain?entity=kernel.company&id=${first.id}&member=${clerk.userId}`,
    )
    expect(res.json()).toMatchObject({ can_read: false, reason: 'no_role_grants' })
    expect(res.json().roles[0].record_rules[0]).toMatchObject({
      matches: false,
      error: expect.stringMatching(/region/),
    })
  })
})

describe('field-level security', () => {
  it('hidden fields are never returned; read-only ones are; a write to either is 403 naming it', async () => {
    const owner = await signUp(t)
    const clerk = await member(owner, ['clerk'])
    const mixed = await member(owner, ['clerk', 'viewer'])
    const target = await company(owner, 'Target', { country: 'FR' })
    await fieldRule(owner, 'clerk', 'currency', 'hidden')
    await fieldRule(owner, 'clerk', 'timezone', 'read_only')

    const rows = (await call(clerk.token, 'GET', '/test/companies')).json().data as Record<string, unknown>[]
    expect(rows.length).toBeGreaterThan(0)
    for (const row of rows) {
      expect(row).not.toHaveProperty('currency')
      expect(row).toHaveProperty('timezone')
      expect(row).toHaveProperty('id')
    }
    // a field is hidden only if every role hides it: viewer has no rule, so currency shows
    const wider = (await call(mixed.token, 'GET', '/test/companies')).json().data as Record<string, unknown>[]
    expect(wider[0]).toHaveProperty('currency', 'EUR')

    const url = `/test/companies/${target.id}`
    for (const [field, body] of [
      ['timezone', { timezone: 'Europe/Paris' }],
      ['currency', { name: 'Renamed', currency: 'USD' }],
    ] as const) {
      const res = await call(clerk.token, 'PATCH', url, body)
      expect(res.statusCode).toBe(403)
      expect(res.json()).toMatchObject({ code: 'field_read_only', detail: expect.stringContaining(field) })
    }
    const unchanged = await inTenant(owner, (trx) =>
      trx.selectFrom('companies').selectAll().where('id', '=', target.id).executeTakeFirstOrThrow(),
    )
    expect(unchanged).toMatchObject({ name: 'Target', timezone: 'UTC', currency: 'EUR' })

    const renamed = await call(clerk.token, 'PATCH', url, { name: 'Renamed' })
    expect(renamed.statusCode).toBe(200)
    expect(renamed.json()).toMatchObject({ name: 'Renamed' })
    expect(renamed.json()).not.toHaveProperty('currency')
  })
})

describe('explain', () => {
  it('lists each role, its record rules run against the record, and the fields masked', async () => {
    const owner = await signUp(t)
    const clerk = await member(owner, ['clerk', 'north'])
    const mine = await company(owner, 'Mine', { country: 'FR' }, clerk.userId)
    const theirs = await company(owner, 'Theirs', { country: 'FR' }, owner.userId)
    const own = await recordRule(owner, 'clerk', 'created_by = $user.id')
    const nordic = await recordRule(owner, 'north', "country in ('NO', 'SE')")
    await fieldRule(owner, 'clerk', 'currency', 'hidden')
    await fieldRule(owner, 'north', 'currency', 'hidden')
    await fieldRule(owner, 'north', 'timezone', 'read_only')
    const explain = (id: string, who: string) =>
      call(owner.accessToken, 'GET', `/api/v1/access/explain?entity=kernel.company&id=${id}&member=${who}`)

    const allowed = await explain(mine.id, clerk.userId)
    expect(allowed.statusCode, allowed.body).toBe(200)
    expect(allowed.json()).toMatchObject({
      entity: 'kernel.company',
      id: mine.id,
      member: { user_id: clerk.userId, roles: ['clerk', 'north'], status: 'active' },
      can_read: true,
      reason: 'granted_by_role',
      fields: { hidden: ['currency'], read_only: [] },
    })
    const byRole = Object.fromEntries(allowed.json().roles.map((r: { role: string }) => [r.role, r]))
    expect(byRole.clerk).toMatchObject({
      grants_read: true,
      reason: 'record_rule_matches',
      record_rules: [{ id: own.id, filter: 'created_by = $user.id', matches: true }],
      field_rules: [{ field: 'currency', access: 'hidden' }],
    })
    expect(byRole.north).toMatchObject({
      grants_read: false,
      reason: 'no_record_rule_matches',
      record_rules: [{ id: nordic.id, matches: false }],
    })

    // the membership id names the member as well as the user id
    const denied = await explain(theirs.id, clerk.membershipId)
    expect(denied.json()).toMatchObject({ can_read: false, reason: 'no_role_grants' })
    expect(names(await call(clerk.token, 'GET', '/test/companies'))).toEqual(['Mine'])

    const ownerView = await explain(theirs.id, owner.userId)
    expect(ownerView.json()).toMatchObject({
      can_read: true,
      roles: [{ role: 'owner', reason: 'no_record_rules', grants_read: true }],
      fields: { hidden: [], read_only: [] },
    })
  })

  it('evaluates $user.company_ids with the member’s allowed companies, as their own reads do', async () => {
    const owner = await signUp(t)
    const branch = await member(owner, ['branch'])
    const allowed = await company(owner, 'Allowed')
    const other = await company(owner, 'Other')
    await inTenant(owner, (trx) =>
      sql`insert into membership_companies (tenant_id, membership_id, company_id)
        values (${owner.tenantId}, ${branch.membershipId}, ${allowed.id})`.execute(trx),
    )
    await recordRule(owner, 'branch', 'id in $user.company_ids')
    const explain = (id: string) =>
      call(
        owner.accessToken,
        'GET',
        `/api/v1/access/explain?entity=kernel.company&id=${id}&member=${branch.userId}`,
      )
    expect((await explain(allowed.id)).json()).toMatchObject({ can_read: true, reason: 'granted_by_role' })
    expect((await explain(other.id)).json()).toMatchObject({ can_read: false, reason: 'no_role_grants' })
    const seen = names(await call(branch.token, 'GET', '/test/companies'))
    expect(seen).toContain('Allowed')
    expect(seen).not.toContain('Other')
  })

  it('another tenant’s member or record answers 404; an unknown entity 400 naming entity', async () => {
    const owner = await signUp(t)
    const other = await signUp(t)
    const clerk = await member(owner, ['clerk'])
    const mine = await company(owner, 'Mine')
    const foreign = await company(other, 'Foreign')
    const explain = (query: string) => call(owner.accessToken, 'GET', `/api/v1/access/explain?${query}`)
    expect((await explain(`entity=kernel.company&id=${mine.id}&member=${other.userId}`)).statusCode).toBe(404)
    expect((await explain(`entity=kernel.company&id=${foreign.id}&member=${clerk.userId}`)).statusCode).toBe(
      404,
    )
    const unknown = await explain(`entity=crm.deal&id=${mine.id}&member=${clerk.userId}`)
    expect(unknown.statusCode).toBe(400)
    expect(unknown.json().errors[0].field).toBe('entity')
    const extra = await explain(`entity=kernel.company&id=${mine.id}&member=${clerk.userId}&sql=1`)
    expect(extra.statusCode).toBe(400)
    const self = await explain(`entity=kernel.member&id=${clerk.membershipId}&member=${clerk.userId}`)
    expect(self.json()).toMatchObject({ entity: 'kernel.member', can_read: true })
  })
})
