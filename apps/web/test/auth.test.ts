import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  newPage,
  PASSWORD,
  shot,
  signIn,
  signUpByApi,
  skippedOnServerRun,
  startWorld,
  type World,
} from './harness.ts'

let world: World

describe.skipIf(skippedOnServerRun('auth.test.ts'))('web app: signing up, in and out', () => {
  beforeAll(async () => {
    world = await startWorld()
  })
  afterAll(async () => {
    await world?.close()
  })

  it('signs up a new workspace, logs out, and logs back in', async () => {
    const { context, page } = await newPage(world)
    const email = `ada-${process.pid}-${Date.now()}@example.com`
    await page.goto('/')
    await page.waitForURL(/\/login\?next=/)
    await page.getByRole('link', { name: /Create an account/ }).click()
    await page.getByLabel('Your name').fill('Ada Lovelace')
    await page.getByLabel('Email').fill(email)
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByLabel('Organisation name').fill('Analytical Engines')
    await page.getByRole('button', { name: 'Create an account' }).click()
    await page.getByRole('heading', { name: 'Welcome, Ada Lovelace' }).waitFor()

    await page.getByTestId('user-menu').click()
    await page.getByRole('menuitem', { name: 'Sign out' }).click()
    await page.waitForURL(/\/login/)
    // the session really ended: the app's pages send back to sign-in
    await page.goto('/settings/modules')
    await page.waitForURL(/\/login\?next=%2Fsettings%2Fmodules/)

    await signIn(page, { email, password: PASSWORD }, page.url())
    await page.waitForURL(/\/settings\/modules$/)
    await page.getByRole('heading', { name: 'Modules' }).waitFor()
    await context.close()
  })

  it('shows a wrong password as an error and stays on the sign-in screen', async () => {
    const member = await signUpByApi(world)
    const { context, page } = await newPage(world)
    await page.goto('/login')
    await page.getByLabel('Email').fill(member.email)
    await page.getByLabel('Password').fill('not the right password at all')
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await expect.poll(() => page.getByRole('alert').first().textContent()).toMatch(/.+/)
    expect(page.url()).toMatch(/\/login/)
    await context.close()
  })

  it('asks for the second factor after the password once MFA is on', async () => {
    const { TOTP, Secret } = await import('otpauth')
    const code = (secret: string, at: number) =>
      new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp: at })
    const member = await signUpByApi(world)
    const { context, page } = await newPage(world)
    await signIn(page, member)
    await page.goto('/settings/security')
    await page.getByTestId('mfa-start').click()
    const secret = (await page.getByTestId('mfa-secret').innerText()).trim()
    const now = Date.now()
    await page.getByTestId('mfa-code').fill(code(secret, now))
    await page.getByTestId('mfa-confirm').click()
    await page.getByTestId('backup-codes').waitFor()
    await shot(page, 'desktop-mfa-enrolled')
    await page.getByTestId('user-menu').click()
    await page.getByRole('menuitem', { name: 'Sign out' }).click()
    await page.waitForURL(/\/login/)

    await page.getByLabel('Email').fill(member.email)
    await page.getByLabel('Password').fill(member.password)
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    // each code works once: the next step's code, which the server accepts within its ±1 step
    await page.getByLabel('Authentication code').fill(code(secret, now + 30_000))
    await page.getByRole('button', { name: 'Verify' }).click()
    await page.getByTestId('user-menu').waitFor()
    await context.close()
  })

  it('creates an API key that works once shown, and revokes it', async () => {
    const member = await signUpByApi(world)
    const { context, page } = await newPage(world)
    await signIn(page, member)
    await page.goto('/settings/api-keys')
    await page.getByTestId('api-key-name').fill('Accounting sync')
    await page.getByTestId('api-key-create').click()
    const key = (await page.getByTestId('api-key-secret').innerText()).trim()
    const menus = () => fetch(`${world.url}/api/v1/menus`, { headers: { authorization: `Bearer ${key}` } })
    expect((await menus()).status).toBe(200)
    await page.getByRole('button', { name: 'Revoke' }).click()
    await page.locator('.ant-popconfirm').getByRole('button', { name: 'OK' }).click()
    await page.getByText('Accounting sync').waitFor({ state: 'detached' })
    expect((await menus()).status).toBe(401)
    await context.close()
  })

  it('asks for a reset link and reports the same answer for any address', async () => {
    const { context, page } = await newPage(world)
    await page.goto('/login')
    await page.getByRole('link', { name: 'Forgot your password?' }).click()
    await page.getByLabel('Email').fill('nobody@example.com')
    await page.getByRole('button', { name: 'Send the reset link' }).click()
    await page.getByRole('status').filter({ hasText: 'reset link is on its way' }).waitFor()
    await page.goto('/reset-password')
    await page.getByText('This link has no reset token').waitFor()
    await context.close()
  })
})
