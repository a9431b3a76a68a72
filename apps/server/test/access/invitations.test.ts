import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { withTenant } from '@tessera/kernel'
import { createTestApp, type TestApp } from '@tessera/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { bearer, type SignedUp, STRONG_PASSWORD, signUp } from '../auth/helpers.ts'
import { addMember, call, createRole } from './helpers.ts'

/** TESSERA_PUBLIC_URL's default for PORT 3000: links in mail start with it. */
const PUBLIC_URL = 'http://localhost:3000'
const NEW_PASSWORD = 'a brand new passphrase 1815'

let t: TestApp
beforeAll(async () => {
  // no SMTP_URL: the test app's mailer writes each message to an .eml file
  t = await createTestApp()
})
afterAll(() => t.close())

let counter = 0
const newAddress = () => {
  counter += 1
  return `invitee-${counter}-${Math.random().toString(36).slice(2, 8)}@example.com`
}

const invite = (token: string, body: unknown) => call(t, token, 'POST', '/api/v1/members', body)

/** The invitation written (as an .eml file) for `to`, once the background delivery has written it. */
function mailTo(to: string): Promise<{ subject: string; text: string }> {
  return vi.waitFor(
    async () => {
      for (const name of await readdir(t.mail.dir).catch(() => [])) {
        const raw = await readFile(join(t.mail.dir, name), 'utf8')
        if (!raw.toLowerCase().includes(`to: ${to.toLowerCase()}`)) continue
        const end = raw.indexOf('\r\n\r\n')
        const head = raw.slice(0, end)
        let text = raw.slice(end + 4)
        if (/content-transfer-encoding:\s*quoted-printable/i.test(head)) {
          text = text
            .replace(/=\r?\n/g, '')
            .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
        }
        const subject = /^Subject: (.*)$/im.exec(head)?.[1] ?? ''
        // the sign-up's verification mail goes to the same files
        if (/invited/i.test(subject)) return { subject, text }
      }
      throw new Error(`no .eml for ${to} yet`)
    },
    { timeout: 15_000, interval: 25 },
  )
}

function tokenIn(text: string): string {
  const escaped = PUBLIC_URL.replace(/[.]/g, '\\.')
  const match = new RegExp(`${escaped}/reset-password#token=([A-Za-z0-9_-]+)`).exec(text)
  if (!match?.[1]) throw new Error(`no set-password link in the mail:\n${text}`)
  return match[1]
}

const login = (email: string, password: string, tenant?: string) =>
  t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password, ...(tenant ? { tenant } : {}) },
  })

/** What an invitation writes: the account, its tokens, and the tenant's memberships and log. */
async function written(owner: SignedUp, email: string) {
  const users = await sql<{ n: number; tokens: number }>`
    select count(*)::int as n,
           (select count(*)::int from user_tokens ut join users u on u.id = ut.user_id
             where u.email_normalized = ${email.toLowerCase()} and ut.purpose = 'password_reset') as tokens
      from users where email_normalized = ${email.toLowerCase()}`.execute(t.database.db)
  const tenant = await withTenant(t.database.db, owner.tenantId, async (trx) => {
    const { rows } = await sql<{ members: number; companies: number; invited: number }>`
      select (select count(*)::int from memberships) as members,
             (select count(*)::int from membership_companies) as companies,
             (select count(*)::int from security_events where type = 'member.invited') as invited`.execute(
      trx,
    )
    return rows[0]
  })
  return { users: users.rows[0]?.n, tokens: users.rows[0]?.tokens, ...tenant }
}

const myMembership = async (token: string) =>
  (await call(t, token, 'GET', '/api/v1/members/me')).json() as {
    id: string
    company_ids: string[]
    current_company_id: string | null
  }

describe('inviting a member', () => {
  it('gives a new address an account without a password and a link to choose one, then a sign-in', async () => {
    const owner = await signUp(t)
    const email = newAddress()
    const res = await invite(owner.accessToken, { email, name: 'Grace Hopper', roles: ['user'] })
    expect(res.statusCode, res.body).toBe(201)
    const mine = await myMembership(owner.accessToken)
    const member = res.json()
    expect(member).toMatchObject({
      email,
      name: 'Grace Hopper',
      status: 'active',
      roles: ['user'],
      company_ids: mine.company_ids,
      current_company_id: mine.current_company_id,
      version: 1,
    })
    expect(res.headers.etag).toBe('"1"')
    // no password yet: nothing signs the invitee in before they choose one
    expect((await login(email, STRONG_PASSWORD)).statusCode).toBe(401)

    const mail = await mailTo(email)
    expect(mail.subject).toMatch(/^You have been invited to Analytical Engines/)
    expect(mail.text).toContain('Ada Lovelace added you to Analytical Engines')
    const token = tokenIn(mail.text)
    const confirm = (password: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/password-reset/confirm',
        payload: { token, password },
      })
    expect((await confirm(NEW_PASSWORD)).statusCode).toBe(200)
    expect((await confirm(NEW_PASSWORD)).json().code).toBe('token_invalid')

    const signedIn = await login(email, NEW_PASSWORD)
    expect(signedIn.statusCode, signedIn.body).toBe(200)
    expect(signedIn.json().tenant.id).toBe(owner.tenantId)
    const me = await call(t, signedIn.json().access_token, 'GET', '/api/v1/members/me')
    expect(me.json()).toMatchObject({ id: member.id, roles: ['user'] })

    const log = await call(t, owner.accessToken, 'GET', '/api/v1/security-events?type=member.invited')
    expect(log.json().data).toEqual([
      expect.objectContaining({
        user_id: member.user_id,
        details: { by: owner.userId, roles: ['user'], company_ids: mine.company_ids },
      }),
    ])
    expect(JSON.stringify(log.json())).not.toContain(token)
  })

  it('lets an existing account join with its own password; its mail has no link', async () => {
    const owner = await signUp(t)
    const elsewhere = await signUp(t)
    const res = await invite(owner.accessToken, { email: elsewhere.email.toUpperCase(), roles: ['manager'] })
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json()).toMatchObject({
      user_id: elsewhere.userId,
      email: elsewhere.email,
      roles: ['manager'],
    })
    const mail = await mailTo(elsewhere.email)
    expect(mail.text).toContain('Sign in at http://localhost:3000')
    expect(mail.text).not.toContain('#token=')
    expect((await written(owner, elsewhere.email)).tokens).toBe(0)
    const signedIn = await login(elsewhere.email, elsewhere.password, owner.tenantSlug)
    expect(signedIn.statusCode).toBe(200)
    expect(signedIn.json().tenant.id).toBe(owner.tenantId)
  })

  it('gives the invitee the inviter’s companies by default, and only companies the inviter is in', async () => {
    const owner = await signUp(t)
    const second = await call(t, owner.accessToken, 'POST', '/api/v1/companies', {
      name: 'Second Ltd',
      currency: 'GBP',
    })
    const secondId = second.json().id as string
    const first = (await myMembership(owner.accessToken)).company_ids.find((c) => c !== secondId) as string
    await createRole(t, owner.accessToken, 'people', [
      'kernel.member:read',
      'kernel.member:update',
      'kernel.company:read',
    ])
    const hr = await addMember(t, owner, ['people'])
    const narrowed = await call(
      t,
      owner.accessToken,
      'PATCH',
      `/api/v1/members/${hr.membershipId}`,
      {
        company_ids: [first],
      },
      1,
    )
    expect(narrowed.statusCode).toBe(200)

    const byDefault = await invite(hr.token, { email: newAddress(), roles: ['user'] })
    expect(byDefault.json()).toMatchObject({ company_ids: [first], current_company_id: first })
    const email = newAddress()
    const before = await written(owner, email)
    const outside = await invite(hr.token, { email, roles: ['user'], company_ids: [first, secondId] })
    expect(outside.statusCode).toBe(404)
    expect(outside.json()).toMatchObject({ code: 'company_not_found' })
    expect(outside.json().detail).toContain('company_ids[1]')
    expect(await written(owner, email)).toEqual(before)
    const named = await invite(owner.accessToken, { email, roles: ['user'], company_ids: [secondId] })
    expect(named.json()).toMatchObject({ company_ids: [secondId], current_company_id: secondId })
  })
})

describe('refused invitations write nothing', () => {
  it.each([
    ['an invalid email', { email: 'not-an-email', roles: ['user'] }, 'email'],
    ['an email with a display name', { email: 'Eve <eve@example.com>', roles: ['user'] }, 'email'],
    [
      'an email with a line break',
      { email: 'eve@example.com\r\nBcc: x@example.com', roles: ['user'] },
      'email',
    ],
    ['no email', { roles: ['user'] }, 'email'],
    ['no roles', { email: 'x@example.com' }, 'roles'],
    ['an empty role list', { email: 'x@example.com', roles: [] }, 'roles'],
    ['an unknown role', { email: 'x@example.com', roles: ['user', 'sales'] }, 'roles[1]'],
    ['a malformed role', { email: 'x@example.com', roles: ["user' or '1'='1"] }, 'roles[0]'],
    [
      'a malformed company id',
      { email: 'x@example.com', roles: ['user'], company_ids: ['x'] },
      'company_ids[0]',
    ],
    [
      'a tenant_id',
      { email: 'x@example.com', roles: ['user'], tenant_id: '0190f3a0-0000-7000-8000-000000000000' },
      'tenant_id',
    ],
    ['permissions', { email: 'x@example.com', roles: ['user'], permissions: ['*'] }, 'permissions'],
    ['a status', { email: 'x@example.com', roles: ['user'], status: 'active' }, 'status'],
    ['a password', { email: 'x@example.com', roles: ['user'], password: STRONG_PASSWORD }, 'password'],
  ])('%s: 400 naming the field', async (_case, body, field) => {
    const owner = await signUp(t)
    const email = (body as { email?: string }).email === 'x@example.com' ? newAddress() : undefined
    const sent = email ? { ...body, email } : body
    const before = await written(owner, email ?? 'none@example.com')
    const res = await invite(owner.accessToken, sent)
    expect(res.statusCode, res.body).toBe(400)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field)
    expect(await written(owner, email ?? 'none@example.com')).toEqual(before)
  })

  it("another tenant's company is 404 naming company_ids[0]", async () => {
    const owner = await signUp(t)
    const other = await signUp(t)
    const foreign = (await myMembership(other.accessToken)).company_ids[0] as string
    const email = newAddress()
    const before = await written(owner, email)
    const res = await invite(owner.accessToken, { email, roles: ['user'], company_ids: [foreign] })
    expect(res.statusCode).toBe(404)
    expect(res.json()).toMatchObject({ code: 'company_not_found' })
    expect(res.json().detail).toContain('company_ids[0]')
    expect(await written(owner, email)).toEqual(before)
    expect(before).toMatchObject({ users: 0, members: 1 })
  })

  it('a role with rights the inviter lacks is 403; so is inviting without kernel.member:update', async () => {
    const owner = await signUp(t)
    await createRole(t, owner.accessToken, 'people', [
      'kernel.member:read',
      'kernel.member:update',
      'kernel.company:read',
    ])
    const hr = await addMember(t, owner, ['people'])
    const plain = await addMember(t, owner, ['user'])
    const email = newAddress()
    const before = await written(owner, email)
    for (const roles of [['admin'], ['user', 'owner'], ['manager']]) {
      const res = await invite(hr.token, { email, roles })
      expect(res.statusCode, roles.join()).toBe(403)
      expect(res.json().code).toBe('permission_not_held')
    }
    const unentitled = await invite(plain.token, { email, roles: ['user'] })
    expect(unentitled.statusCode).toBe(403)
    expect(unentitled.json()).toMatchObject({ code: 'permission_required' })
    expect(unentitled.json().detail).toContain('"kernel.member:update"')
    expect(await written(owner, email)).toEqual(before)
    expect(before.users).toBe(0)
    // what hr holds, hr may hand out
    expect((await invite(hr.token, { email, roles: ['people', 'user'] })).statusCode).toBe(201)
  })

  it('an address that is already a member is 409 naming email, the membership unchanged', async () => {
    const owner = await signUp(t)
    const member = await addMember(t, owner, ['user'])
    const before = await written(owner, member.email)
    for (const email of [member.email, member.email.toUpperCase(), owner.email]) {
      const res = await invite(owner.accessToken, { email, roles: ['manager'] })
      expect(res.statusCode, email).toBe(409)
      expect(res.json()).toMatchObject({ code: 'already_member' })
      expect(res.json().errors).toContainEqual(expect.objectContaining({ field: 'email' }))
    }
    expect(await written(owner, member.email)).toEqual(before)
    const row = await call(t, owner.accessToken, 'GET', `/api/v1/members/${member.membershipId}`)
    expect(row.json()).toMatchObject({ roles: ['user'], version: 1 })
  })

  it('needs credentials (401); a member invites into their own tenant only', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/members',
      payload: { email: newAddress(), roles: ['user'] },
    })
    expect(res.statusCode).toBe(401)
    const owner = await signUp(t)
    const other = await signUp(t)
    const email = newAddress()
    const invited = await t.app.inject({
      method: 'POST',
      url: '/api/v1/members',
      headers: bearer(other.accessToken),
      payload: { email, roles: ['user'] },
    })
    expect(invited.statusCode).toBe(201)
    expect((await written(owner, email)).members).toBe(1)
  })
})
