import { createHash } from 'node:crypto'
import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { newTotpSecret, sealSecret, throttleState } from '@tessera/kernel'
import { createTestApp, type TestApp } from '@tessera/testing'
import { sql } from 'kysely'
import { SMTPServer } from 'smtp-server'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { bearer, type SignedUp, STRONG_PASSWORD, signUp } from './helpers.ts'

const NEW_PASSWORD = 'a brand new passphrase 1815'
/** TESSERA_PUBLIC_URL's default for PORT 3000: links in mail start with it. */
const PUBLIC_URL = 'http://localhost:3000'

interface Received {
  to: string[]
  raw: string
  taken: boolean
}

let smtp: SMTPServer
let t: TestApp
const received: Received[] = []
const waiting: (() => void)[] = []

/** A real SMTP server on a free loopback port, keeping every message it is sent. */
function startSmtpServer(): Promise<SMTPServer> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        received.push({
          to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          raw: Buffer.concat(chunks).toString('utf8'),
          taken: false,
        })
        for (const wake of waiting.splice(0)) wake()
        callback()
      })
    },
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

beforeAll(async () => {
  smtp = await startSmtpServer()
  const { port } = smtp.server.address() as { port: number }
  t = await createTestApp({ env: { SMTP_URL: `smtp://127.0.0.1:${port}` } })
})
afterAll(async () => {
  await t.close()
  await new Promise<void>((resolve) => smtp.close(() => resolve()))
})

/** The body text of a single-part message, quoted-printable decoded. */
function mailText(raw: string): string {
  const end = raw.indexOf('\r\n\r\n')
  const head = raw.slice(0, end)
  const body = raw.slice(end + 4)
  if (!/content-transfer-encoding:\s*quoted-printable/i.test(head)) return body
  return body
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
}

/** The next message (not yet taken) the SMTP server received for `to` whose subject matches. */
async function nextMail(to: string, subject: RegExp): Promise<string> {
  for (;;) {
    const found = received.find(
      (m) => !m.taken && m.to.includes(to.toLowerCase()) && subject.test(subjectOf(m.raw)),
    )
    if (found) {
      found.taken = true
      return mailText(found.raw)
    }
    await new Promise<void>((resolve) => waiting.push(resolve))
  }
}

function subjectOf(raw: string): string {
  return /^Subject: (.*)$/im.exec(raw)?.[1] ?? ''
}

/** The token of the first link to `page` in a mail's text. */
function tokenIn(text: string, page: 'reset-password' | 'verify-email'): string {
  const escaped = PUBLIC_URL.replace(/[.]/g, '\\.')
  const match = new RegExp(`${escaped}/${page}#token=([A-Za-z0-9_-]+)`).exec(text)
  if (!match?.[1]) throw new Error(`no ${page} link in the mail:\n${text}`)
  return match[1]
}

const post = (url: string, payload?: object, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url: `/api/v1/auth${url}`, headers, ...(payload ? { payload } : {}) })

const login = (email: string, password: string) => post('/login', { email, password })

const me = (accessToken: string) =>
  t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(accessToken) })

async function resetToken(email: string): Promise<string> {
  const res = await post('/password-reset', { email })
  expect(res.statusCode).toBe(202)
  return tokenIn(await nextMail(email, /reset/i), 'reset-password')
}

async function lock(email: string) {
  for (let i = 0; i < 10; i++) expect((await login(email, 'wrong password, try again')).statusCode).toBe(401)
  expect((await throttleState(t.database.db, email.toLowerCase())).locked).toBe(true)
}

/** Everything recovery routes could write, to show a refused request wrote none of it. */
async function snapshot() {
  const { rows } = await sql<Record<string, string>>`
    select
      (select count(*) from user_tokens)::text as tokens,
      (select count(*) from user_tokens where used_at is not null)::text as used_tokens,
      (select md5(string_agg(coalesce(password_hash, '') || coalesce(email_verified_at::text, ''), ',' order by id)) from users) as users,
      (select count(*) from security_events)::text as events,
      (select count(*) from sessions where revoked_at is not null)::text as revoked,
      (select count(*) from login_throttle)::text as throttles`.execute(t.database.db)
  return rows[0]
}

async function eventsOf(owner: { accessToken: string }, type: string) {
  const res = await t.app.inject({
    method: 'GET',
    url: `/api/v1/security-events?type=${type}`,
    headers: bearer(owner.accessToken),
  })
  expect(res.statusCode).toBe(200)
  return res
}

describe('password reset', () => {
  it('mails a single-use link that sets a new password, ends every session and signs nobody in', async () => {
    const owner = await signUp(t)
    const phone = (await login(owner.email, owner.password)).json()

    const asked = await post('/password-reset', { email: owner.email })
    expect(asked.statusCode).toBe(202)
    const text = await nextMail(owner.email, /reset/i)
    const token = tokenIn(text, 'reset-password')
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/) // 256 bits
    expect(asked.body).not.toContain(token)

    // Stored as its SHA-256 only, for 30 minutes.
    const stored = await sql<{ token_hash: string; minutes: number; used_at: Date | null }>`
      select token_hash, extract(epoch from expires_at - created_at)::int / 60 as minutes, used_at
      from user_tokens where user_id = ${owner.userId} and purpose = 'password_reset'`.execute(t.database.db)
    expect(stored.rows).toEqual([
      { token_hash: createHash('sha256').update(token).digest('hex'), minutes: 30, used_at: null },
    ])

    const done = await post('/password-reset/confirm', { token, password: NEW_PASSWORD })
    expect(done.statusCode).toBe(200)
    expect(done.json()).toMatchObject({ status: 'password_reset', sessions_revoked: 2 })
    expect(done.json()).not.toHaveProperty('access_token')
    expect(done.headers['set-cookie']).toBeUndefined()

    for (const access of [owner.accessToken, phone.access_token])
      expect((await me(access)).statusCode).toBe(401)
    expect((await post('/refresh', { refresh_token: owner.refreshToken })).statusCode).toBe(401)
    expect((await login(owner.email, STRONG_PASSWORD)).statusCode).toBe(401)
    const fresh = await login(owner.email, NEW_PASSWORD)
    expect(fresh.json()).toMatchObject({ status: 'ok', user: { id: owner.userId } })

    const again = await post('/password-reset/confirm', { token, password: 'yet another passphrase 77' })
    expect(again.statusCode).toBe(400)
    expect(again.json().code).toBe('token_invalid')

    const events = await eventsOf({ accessToken: fresh.json().access_token }, 'password.reset')
    expect(events.json().data).toHaveLength(1)
    expect(events.json().data[0]).toMatchObject({ user_id: owner.userId, details: { sessions_revoked: 2 } })
    expect(events.body).not.toContain(token)
  })

  it('answers an unknown address exactly as a known one, and mails and stores nothing for it', async () => {
    const owner = await signUp(t)
    const unknown = `nobody-${Date.now()}@example.com`
    const tokens = async () =>
      (await sql<{ n: number }>`select count(*)::int as n from user_tokens`.execute(t.database.db)).rows[0]?.n

    const before = await tokens()
    const known = await post('/password-reset', { email: owner.email })
    const stranger = await post('/password-reset', { email: unknown })
    expect(stranger.statusCode).toBe(known.statusCode)
    expect(stranger.headers['content-type']).toBe(known.headers['content-type'])
    expect(stranger.json()).toEqual(known.json())
    expect(known.json()).toEqual({ status: 'accepted', message: expect.any(String) })
    expect(await tokens()).toBe((before ?? 0) + 1)

    await nextMail(owner.email, /reset/i)
    expect(received.some((m) => m.to.includes(unknown))).toBe(false)
  })

  it('lets only the newest link work', async () => {
    const owner = await signUp(t)
    const first = await resetToken(owner.email)
    const second = await resetToken(owner.email)
    const old = await post('/password-reset/confirm', { token: first, password: NEW_PASSWORD })
    expect(old.statusCode).toBe(400)
    expect(old.json().code).toBe('token_invalid')
    expect(
      (await post('/password-reset/confirm', { token: second, password: NEW_PASSWORD })).statusCode,
    ).toBe(200)
  })

  it.each([
    ['expired', 'EXPIRED'],
    ['tampered', 'TAMPERED'],
    ['unknown', 'UNKNOWN'],
    ['malformed', 'MALFORMED'],
    ['used by the verification flow', 'OTHER_PURPOSE'],
  ])('refuses an %s token with 400 token_invalid and writes nothing', async (_case, kind) => {
    const owner = await signUp(t)
    let token = await resetToken(owner.email)
    if (kind === 'EXPIRED') {
      await sql`update user_tokens set expires_at = now() - interval '1 minute'
                where user_id = ${owner.userId} and purpose = 'password_reset'`.execute(t.database.db)
    }
    if (kind === 'TAMPERED') token = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`
    if (kind === 'UNKNOWN') token = 'A'.repeat(43)
    if (kind === 'MALFORMED') token = 'not a token'
    if (kind === 'OTHER_PURPOSE') token = tokenIn(await nextMail(owner.email, /confirm/i), 'verify-email')

    const before = await snapshot()
    const res = await post('/password-reset/confirm', { token, password: NEW_PASSWORD })
    expect(res.statusCode).toBe(400)
    expect(res.headers['content-type']).toMatch(/problem\+json/)
    expect(res.json()).toMatchObject({
      code: 'token_invalid',
      errors: [{ field: 'token', code: 'token_invalid' }],
    })
    expect(await snapshot()).toEqual(before)
    expect((await me(owner.accessToken)).statusCode).toBe(200)
  })

  it('refuses a weak new password with 400 naming it, and leaves the link usable', async () => {
    const owner = await signUp(t)
    const token = await resetToken(owner.email)
    const before = await snapshot()
    const weak = await post('/password-reset/confirm', { token, password: 'short' })
    expect(weak.statusCode).toBe(400)
    expect(weak.json().errors).toContainEqual(
      expect.objectContaining({ field: 'password', code: 'too_short' }),
    )
    expect(await snapshot()).toEqual(before)
    expect((await post('/password-reset/confirm', { token, password: NEW_PASSWORD })).statusCode).toBe(200)
  })

  it('lifts a login lock', async () => {
    const owner = await signUp(t)
    await lock(owner.email)
    expect((await login(owner.email, STRONG_PASSWORD)).statusCode).toBe(401)
    const token = await resetToken(owner.email)
    expect((await post('/password-reset/confirm', { token, password: NEW_PASSWORD })).statusCode).toBe(200)
    expect((await throttleState(t.database.db, owner.email.toLowerCase())).locked).toBe(false)
    expect((await login(owner.email, NEW_PASSWORD)).json().status).toBe('ok')
  })

  it('does not bypass MFA: the next login still asks for the second factor', async () => {
    const owner = await signUp(t)
    const seed = sealSecret(t.identity.sealingKey, newTotpSecret(), `totp:${owner.userId}`)
    await sql`update users set totp_secret = ${seed}, totp_enabled_at = now()
              where id = ${owner.userId}`.execute(t.database.db)
    const token = await resetToken(owner.email)
    const done = await post('/password-reset/confirm', { token, password: NEW_PASSWORD })
    expect(done.statusCode).toBe(200)
    expect(done.json()).not.toHaveProperty('access_token')

    const next = await login(owner.email, NEW_PASSWORD)
    expect(next.statusCode).toBe(200)
    expect(next.json()).toMatchObject({ status: 'mfa_required', challenge_token: expect.any(String) })
    expect(next.json()).not.toHaveProperty('access_token')
    expect(next.headers['set-cookie']).toBeUndefined()
    const open = await sql<{ n: number }>`select count(*)::int as n from sessions
      where user_id = ${owner.userId} and revoked_at is null`.execute(t.database.db)
    expect(open.rows[0]?.n).toBe(0)
  })
})

describe('mail without SMTP_URL', () => {
  let files: TestApp
  beforeAll(async () => {
    files = await createTestApp()
  })
  afterAll(() => files.close())

  /** The .eml file for `to` whose subject matches, once the background delivery has written it. */
  async function emlFor(to: string, subject: RegExp): Promise<{ path: string; raw: string }> {
    return vi.waitFor(
      async () => {
        for (const name of await readdir(files.mail.dir).catch(() => [])) {
          const path = join(files.mail.dir, name)
          const raw = await readFile(path, 'utf8')
          if (raw.toLowerCase().includes(`to: ${to.toLowerCase()}`) && subject.test(subjectOf(raw)))
            return { path, raw }
        }
        throw new Error(`no .eml for ${to} yet`)
      },
      { timeout: 15_000, interval: 25 },
    )
  }

  it('writes the reset mail to a private .eml file and logs where, never the token', async () => {
    const owner = await signUp(files)
    const asked = await files.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password-reset',
      payload: { email: owner.email },
    })
    expect(asked.statusCode).toBe(202)
    const { path, raw } = await emlFor(owner.email, /reset/i)
    const token = tokenIn(mailText(raw), 'reset-password')

    expect((await stat(path)).mode & 0o777).toBe(0o600)
    expect((await stat(files.mail.dir)).mode & 0o777).toBe(0o700)
    const logged = JSON.stringify(files.mail.log)
    expect(files.mail.log.some((entry) => (entry.obj as { file?: string }).file === path)).toBe(true)
    expect(logged).not.toContain(token)

    const done = await files.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password-reset/confirm',
      payload: { token, password: NEW_PASSWORD },
    })
    expect(done.statusCode).toBe(200)
  })
})

describe('email verification', () => {
  it('mails a link at sign-up that verifies the address, once', async () => {
    const owner = await signUp(t)
    const token = tokenIn(await nextMail(owner.email, /confirm/i), 'verify-email')
    expect((await me(owner.accessToken)).json().user.email_verified).toBe(false)

    const ok = await post('/verify-email', { token })
    expect(ok.statusCode).toBe(200)
    expect(ok.json()).toEqual({ status: 'email_verified' })
    expect((await me(owner.accessToken)).json().user.email_verified).toBe(true)

    const again = await post('/verify-email', { token })
    expect(again.statusCode).toBe(400)
    expect(again.json().code).toBe('token_invalid')
    const resend = await post('/verify-email/resend', undefined, bearer(owner.accessToken))
    expect(resend.statusCode).toBe(422)
    expect(resend.json().code).toBe('email_already_verified')
  })

  it('resends a new link to a signed-in member, which replaces the first', async () => {
    const owner = await signUp(t)
    const first = tokenIn(await nextMail(owner.email, /confirm/i), 'verify-email')
    const resend = await post('/verify-email/resend', undefined, bearer(owner.accessToken))
    expect(resend.statusCode).toBe(202)
    const second = tokenIn(await nextMail(owner.email, /confirm/i), 'verify-email')
    expect(second).not.toBe(first)

    expect((await post('/verify-email', { token: first })).statusCode).toBe(400)
    expect((await post('/verify-email', { token: second })).statusCode).toBe(200)
  })

  it('resends only to a signed-in member, and a cookie needs the CSRF header', async () => {
    const owner = await signUp(t)
    expect((await post('/verify-email/resend')).statusCode).toBe(401)
    const forged = await post('/verify-email/resend', undefined, { cookie: owner.cookie })
    expect(forged.statusCode).toBe(401)
    expect(forged.json().code).toBe('csrf_token_invalid')
  })

  it('refuses an expired verification token', async () => {
    const owner = await signUp(t)
    const token = tokenIn(await nextMail(owner.email, /confirm/i), 'verify-email')
    await sql`update user_tokens set expires_at = now() - interval '1 second'
              where user_id = ${owner.userId}`.execute(t.database.db)
    const res = await post('/verify-email', { token })
    expect(res.statusCode).toBe(400)
    expect(res.json().code).toBe('token_invalid')
    expect((await me(owner.accessToken)).json().user.email_verified).toBe(false)
  })
})

describe('password change', () => {
  it('changes the password given the current one and ends my other sessions only', async () => {
    const owner = await signUp(t)
    const phone = (await login(owner.email, owner.password)).json()
    const res = await post(
      '/password',
      { current_password: owner.password, new_password: NEW_PASSWORD },
      bearer(owner.accessToken),
    )
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ status: 'password_changed', sessions_revoked: 1 })
    expect((await me(owner.accessToken)).statusCode).toBe(200)
    expect((await me(phone.access_token)).statusCode).toBe(401)
    expect((await login(owner.email, owner.password)).statusCode).toBe(401)
    expect((await login(owner.email, NEW_PASSWORD)).json().status).toBe('ok')

    const events = await eventsOf(owner, 'password.changed')
    expect(events.json().data).toEqual([
      expect.objectContaining({ user_id: owner.userId, details: { sessions_revoked: 1 } }),
    ])
    expect(events.body).not.toContain(NEW_PASSWORD)
  })

  it('also works from the web session with its CSRF header', async () => {
    const owner = await signUp(t)
    const res = await post(
      '/password',
      { current_password: owner.password, new_password: NEW_PASSWORD },
      { cookie: owner.cookie, 'x-csrf-token': owner.csrfToken },
    )
    expect(res.statusCode).toBe(200)
  })

  it('refuses a wrong current password with 400, counted like a failed login', async () => {
    const owner = await signUp(t)
    const before = await snapshot()
    const res = await post(
      '/password',
      { current_password: 'not my password at all', new_password: NEW_PASSWORD },
      bearer(owner.accessToken),
    )
    expect(res.statusCode).toBe(400)
    expect(res.json().errors).toEqual([
      expect.objectContaining({ field: 'current_password', code: 'incorrect' }),
    ])
    expect((await throttleState(t.database.db, owner.email.toLowerCase())).failures).toBe(1)
    const after = await snapshot()
    expect({ ...after, throttles: before?.throttles }).toEqual(before)
    expect((await login(owner.email, owner.password)).json().status).toBe('ok')
  })

  it('needs a signed-in member', async () => {
    const res = await post('/password', { current_password: STRONG_PASSWORD, new_password: NEW_PASSWORD })
    expect(res.statusCode).toBe(401)
  })
})

describe('bad inputs: 400 naming the field, nothing written', () => {
  let owner: SignedUp
  beforeAll(async () => {
    owner = await signUp(t)
  })

  const good = { current_password: STRONG_PASSWORD, new_password: NEW_PASSWORD }
  it.each([
    ['reset: an unknown field', '/password-reset', { email: 'a@example.com', tenant: 'x' }, 'tenant'],
    ['reset: a malformed email', '/password-reset', { email: 'not-an-email' }, 'email'],
    ['reset: a wrong type', '/password-reset', { email: 42 }, 'email'],
    ['reset: a missing email', '/password-reset', {}, 'email'],
    ['reset: an oversized email', '/password-reset', { email: `${'a'.repeat(250)}@example.com` }, 'email'],
    [
      'confirm: an unknown field',
      '/password-reset/confirm',
      { token: 'x', password: NEW_PASSWORD, user_id: 'x' },
      'user_id',
    ],
    ['confirm: a wrong type', '/password-reset/confirm', { token: 7, password: NEW_PASSWORD }, 'token'],
    ['confirm: a missing token', '/password-reset/confirm', { password: NEW_PASSWORD }, 'token'],
    ['confirm: a missing password', '/password-reset/confirm', { token: 'A'.repeat(43) }, 'password'],
    ['verify: an unknown field', '/verify-email', { token: 'x', email_verified: true }, 'email_verified'],
    ['verify: a wrong type', '/verify-email', { token: ['x'] }, 'token'],
    ['change: an unknown field', '/password', { ...good, user_id: 'x' }, 'user_id'],
    ['change: a wrong type', '/password', { ...good, current_password: 12 }, 'current_password'],
    ['change: a missing new password', '/password', { current_password: STRONG_PASSWORD }, 'new_password'],
    ['change: a short new password', '/password', { ...good, new_password: 'short' }, 'new_password'],
    ['change: a common new password', '/password', { ...good, new_password: '1QAZ2wsx3edc' }, 'new_password'],
  ])('%s', async (_case, url, payload, field) => {
    const before = await snapshot()
    const res = await post(url, payload, bearer(owner.accessToken))
    expect(res.statusCode).toBe(400)
    expect(res.headers['content-type']).toMatch(/problem\+json/)
    expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field)
    expect(await snapshot()).toEqual(before)
  })
})
