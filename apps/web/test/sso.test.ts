import { createServer } from 'node:net'
import { startOidcProvider, type TestOidcProvider } from '@tessera/testing'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  axeViolations,
  type Member,
  newPage,
  shot,
  signIn,
  signUpByApi,
  skippedOnServerRun,
  startWorld,
  type World,
} from './harness.ts'

/**
 * Single sign-on in the browser, end to end: an owner sets up the provider in the sign-in settings,
 * and someone signs in at the organisation's real OpenID provider (oidc-provider on loopback).
 * The app's public URL is the address the browser uses, so the provider's redirect comes back to it.
 */

let world: World
let idp: TestOidcProvider

/** A loopback port nothing listens on now, so the public URL can be known before the app starts. */
async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (!address || typeof address === 'string') throw new Error('no port')
  return address.port
}

/** A field's error, shown next to it by the form. */
const fieldError = (page: Page, label: string) =>
  page
    .locator('.ant-form-item')
    .filter({ has: page.getByLabel(label, { exact: true }) })
    .locator('.ant-form-item-explain-error')
const issuerError = (page: Page) => fieldError(page, 'Issuer')

async function fillProvider(page: Page, issuer: string, domain = 'acme.example') {
  await page.getByLabel('Issuer', { exact: true }).fill(issuer)
  await page.getByLabel('Client id').fill(idp.clientId)
  await page.getByLabel('Client secret').fill(idp.clientSecret)
  const domains = page.getByLabel('Allowed email domains')
  await domains.click()
  await domains.pressSequentially(domain)
  await domains.press('Enter')
}

async function ssoStatus(member: Member): Promise<number> {
  const res = await fetch(`${world.url}/api/v1/auth/sso`, {
    headers: { authorization: `Bearer ${member.token}` },
  })
  return res.status
}

describe.skipIf(skippedOnServerRun('sso.test.ts'))('web app: single sign-on', () => {
  beforeAll(async () => {
    const port = await freePort()
    const publicUrl = `http://127.0.0.1:${port}`
    idp = await startOidcProvider({ redirectUri: `${publicUrl}/api/v1/auth/sso/callback` })
    world = await startWorld({
      port,
      env: { TESSERA_PUBLIC_URL: publicUrl, TESSERA_OUTBOUND_ALLOW: '127.0.0.1' },
    })
    expect(world.url).toBe(publicUrl)
  })
  afterAll(async () => {
    await world?.close()
    await idp?.close()
  })

  it('an owner sets up the provider in the settings; someone then signs in through it and lands in the app', async () => {
    const owner = await signUpByApi(world)
    const { context, page } = await newPage(world)
    await signIn(page, owner)
    await page.goto('/settings/sign-in')
    await page.getByRole('heading', { name: 'Sign-in', level: 1 }).waitFor()
    await fillProvider(page, idp.issuer)
    await page.getByTestId('sso-save').click()
    // the redirect address to register at the provider shows once a provider is saved
    await expect
      .poll(() => page.getByTestId('sso-redirect').textContent())
      .toBe(`${world.url}/api/v1/auth/sso/callback`)
    expect(await ssoStatus(owner)).toBe(200)

    // the secret is write-only: after a reload the form says it is set, and shows nothing of it
    await page.reload()
    await page.getByText('A secret is set.', { exact: false }).waitFor()
    expect(await page.getByLabel('Issuer', { exact: true }).inputValue()).toBe(idp.issuer)
    expect(await page.getByLabel('Client secret').inputValue()).toBe('')
    expect(await page.content()).not.toContain(idp.clientSecret)
    expect(await axeViolations(page, 'critical')).toEqual([])
    expect(await axeViolations(page, 'serious')).toEqual([])
    await shot(page, 'sign-in-settings')
    await context.close()

    const who = idp.account({ name: 'Ada Lovelace' })
    idp.signInNext(who)
    const stranger = await newPage(world)
    await stranger.page.goto('/login')
    await stranger.page.getByRole('button', { name: 'Sign in with single sign-on' }).click()
    await stranger.page.getByLabel('Organisation identifier (e.g. acme)').fill(owner.tenant)
    const before = idp.requests()
    await stranger.page.getByRole('button', { name: 'Continue' }).click()
    await stranger.page.getByTestId('user-menu').filter({ hasText: 'Ada Lovelace' }).waitFor()
    expect(new URL(stranger.page.url()).origin).toBe(world.url)
    // the browser really went through the provider: authorization, interaction, resume
    expect(idp.requests()).toBeGreaterThan(before)
    const me = (await stranger.page.evaluate(async () => (await fetch('/api/v1/auth/me')).json())) as {
      user: { email: string }
      tenant: { slug: string }
    }
    expect(me.user.email).toBe(idp.accounts.get(who)?.email)
    expect(me.tenant.slug).toBe(owner.tenant)
    await stranger.context.close()
  })

  it('shows a bad issuer next to the issuer field and saves nothing', async () => {
    const owner = await signUpByApi(world)
    const { context, page } = await newPage(world)
    await signIn(page, owner)
    await page.goto('/settings/sign-in')
    await fillProvider(page, `${idp.issuer}/nowhere`)
    await page.getByTestId('sso-save').click()
    await issuerError(page).waitFor()
    expect(await issuerError(page).textContent()).toMatch(/discovery|issuer/i)
    // the error is the field's, not an alert above the form
    expect(await page.locator('.ant-alert').count()).toBe(0)
    await expect.poll(() => page.getByTestId('sso-redirect').count()).toBe(0)
    expect(await ssoStatus(owner)).toBe(404)
    await context.close()
  })

  it('shows a malformed domain next to the domains field and saves nothing', async () => {
    const owner = await signUpByApi(world)
    const { context, page } = await newPage(world)
    await signIn(page, owner)
    await page.goto('/settings/sign-in')
    await fillProvider(page, idp.issuer, 'acme_corp.example')
    await page.getByTestId('sso-save').click()
    await fieldError(page, 'Allowed email domains').waitFor()
    expect(await issuerError(page).count()).toBe(0)
    expect(await page.locator('.ant-alert').count()).toBe(0)
    expect(await ssoStatus(owner)).toBe(404)
    await context.close()
  })

  it('removes the provider from the settings', async () => {
    const owner = await signUpByApi(world)
    const { context, page } = await newPage(world)
    await signIn(page, owner)
    await page.goto('/settings/sign-in')
    await fillProvider(page, idp.issuer)
    await page.getByTestId('sso-save').click()
    await page.getByTestId('sso-remove').click()
    await page.getByRole('button', { name: 'OK' }).click()
    await expect.poll(() => page.getByTestId('sso-remove').count()).toBe(0)
    expect(await ssoStatus(owner)).toBe(404)
    await context.close()
  })
})
