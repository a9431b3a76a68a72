import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { createTestApp, type TestApp, type TestAppOptions } from '@tessera/testing'
import axe from 'axe-core'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { ensureWebBuilt } from '../../server/src/web.ts'

/**
 * The browser tests' world: the built app served by the real server (on this file's database) on
 * a loopback port, and Debian's Chromium driven by playwright-core. Nothing is mocked.
 */

export const CHROMIUM = '/usr/bin/chromium'
export const SCREENSHOTS = join(import.meta.dirname, 'screenshots')
export const DESKTOP = { width: 1280, height: 800 }
export const PHONE = { width: 390, height: 844 }
export const PASSWORD = 'correct horse battery staple 42'

export interface World {
  t: TestApp
  url: string
  browser: Browser
  close(): Promise<void>
}

/**
 * `options` as for createTestApp: extra modules (test fixtures), environment (a data folder);
 * `port` when the address must be known beforehand (TESSERA_PUBLIC_URL for single sign-on).
 */
export async function startWorld({
  port = 0,
  ...options
}: TestAppOptions & { port?: number } = {}): Promise<World> {
  await ensureWebBuilt()
  const t = await createTestApp(options)
  const url = await t.app.listen({ host: '127.0.0.1', port })
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    // root in CI containers has no user namespace for Chromium's sandbox
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  })
  mkdirSync(SCREENSHOTS, { recursive: true })
  return {
    t,
    url,
    browser,
    async close() {
      await browser.close()
      await t.close()
    },
  }
}

export async function newPage(
  world: World,
  viewport = DESKTOP,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await world.browser.newContext({ baseURL: world.url, viewport, locale: 'en-US' })
  const page = await context.newPage()
  // the app's own errors belong in the test output, not only in a browser nobody sees
  page.on('pageerror', (err) => process.stderr.write(`[browser] ${err.stack ?? err.message}\n`))
  return { context, page }
}

let counter = 0
export interface Member {
  email: string
  password: string
  name: string
  tenant: string
  tenantId: string
  userId: string
  token: string
}

/** A new tenant and its owner, through the API (for tests whose subject is not sign-up). */
export async function signUpByApi(world: World): Promise<Member> {
  counter += 1
  const id = `${process.pid}-${counter}-${Math.random().toString(36).slice(2, 8)}`
  const body = {
    name: 'Grace Hopper',
    email: `grace-${id}@example.com`,
    password: PASSWORD,
    tenant_name: `Compilers ${id}`,
    company: { currency: 'EUR', country: 'US' },
  }
  const res = await fetch(`${world.url}/api/v1/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  if (res.status !== 201) throw new Error(`sign-up failed: ${res.status} ${await res.text()}`)
  const json = (await res.json()) as {
    access_token: string
    tenant: { id: string; slug: string }
    user: { id: string }
  }
  return {
    email: body.email,
    password: PASSWORD,
    name: body.name,
    tenant: json.tenant.slug,
    tenantId: json.tenant.id,
    userId: json.user.id,
    token: json.access_token,
  }
}

/** An API call as the member (bearer token: no cookie, no CSRF header). */
export async function apiAs<T = unknown>(
  world: World,
  member: Member,
  method: string,
  path: string,
  body?: unknown,
) {
  const res = await fetch(`${world.url}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${member.token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`)
  return (text ? JSON.parse(text) : undefined) as T
}

/** Signs in through the login screen and waits for the shell. */
export async function signIn(page: Page, member: Pick<Member, 'email' | 'password'>, path = '/login') {
  await page.goto(path)
  await page.getByLabel('Email').fill(member.email)
  await page.getByLabel('Password').fill(member.password)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await page.getByTestId('user-menu').waitFor()
}

/** Runs axe-core in the page; returns the violations of the given impact. */
export async function axeViolations(page: Page, impact: 'critical' | 'serious' = 'critical') {
  // evaluated over the DevTools protocol: the page's CSP (script-src 'self') does not apply
  await page.evaluate(axe.source)
  const results = (await page.evaluate(
    'axe.run(document, { resultTypes: ["violations"] })',
  )) as axe.AxeResults
  return results.violations
    .filter((v) => v.impact === impact)
    .map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }))
}

export const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true })

/** Picks an option of the Ant Design select labelled `label` (its visible list, not the a11y mirror). */
export async function choose(page: Page, label: string | RegExp, option: string | RegExp) {
  await page.getByLabel(label).click()
  await page
    .locator('.ant-select-dropdown:visible .ant-select-item-option')
    .filter({ hasText: option })
    .click()
}

/**
 * The browser tests exercise the web app, not the database: they run once, on the embedded
 * database (`npm test`); on the PostgreSQL server pass (TESSERA_TEST_DATABASE_URL set) they are
 * skipped, and say so, since every API route they use is covered there by the server's own suites.
 */
export function skippedOnServerRun(file: string): boolean {
  if (!process.env.TESSERA_TEST_DATABASE_URL) return false
  process.stdout.write(
    `${file}: browser tests skipped on the PostgreSQL server run (TESSERA_TEST_DATABASE_URL is set); they run on the embedded database.\n`,
  )
  return true
}
