import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  apiAs,
  axeViolations,
  choose,
  type Member,
  newPage,
  PHONE,
  shot,
  signIn,
  signUpByApi,
  skippedOnServerRun,
  startWorld,
  type World,
} from './harness.ts'

/** The security log screen: the tenant's security events, newest first, filtered and on a phone. */

let world: World

/** A wrong password for the member, sent with a request id the log must show. */
async function failSignIn(member: Member, requestId: string): Promise<void> {
  const res = await fetch(`${world.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': requestId },
    body: JSON.stringify({ email: member.email, password: 'not the right password at all' }),
  })
  expect(res.status).toBe(401)
}

const events = (page: Page) => page.getByTestId('security-event')

describe.skipIf(skippedOnServerRun('security-log.test.ts'))('web app: the security log', () => {
  beforeAll(async () => {
    world = await startWorld()
  })
  afterAll(async () => {
    await world?.close()
  })

  it('shows a failed sign-in with who, the IP and the request id, and filters by type', async () => {
    const owner = await signUpByApi(world)
    await failSignIn(owner, 'req-failed-sign-in-1')
    const { context, page } = await newPage(world)
    await signIn(page, owner)
    await page.goto('/settings/security-log')
    await page.getByRole('heading', { name: 'Security log', level: 1 }).waitFor()
    const failed = events(page).filter({ hasText: 'login.failed' })
    await failed.waitFor()
    expect(await failed.textContent()).toContain('req-failed-sign-in-1')
    expect(await failed.textContent()).toContain(owner.name)
    expect(await failed.textContent()).toContain('127.0.0.1')
    // newest first: this sign-in came after the failure, and sign-up before both
    const types = await events(page).locator('code').allTextContents()
    const order = ['login.succeeded', 'login.failed', 'signup'].map((type) => types.indexOf(type))
    expect(order.every((at) => at >= 0)).toBe(true)
    expect([...order].sort((a, b) => a - b)).toEqual(order)
    expect(await axeViolations(page, 'critical')).toEqual([])
    expect(await axeViolations(page, 'serious')).toEqual([])

    await choose(page, 'Event type', 'login.failed')
    await expect.poll(() => events(page).filter({ hasNotText: 'login.failed' }).count()).toBe(0)
    expect(await events(page).count()).toBe(1)
    await shot(page, 'security-log')

    // a day range after today leaves nothing
    const tomorrow = new Date(Date.now() + 86_400_000)
    const day = `${tomorrow.getFullYear()}-${String(tomorrow.getMonth() + 1).padStart(2, '0')}-${String(tomorrow.getDate()).padStart(2, '0')}`
    await page.getByLabel('From', { exact: true }).fill(day)
    await page.getByText('No security events').waitFor()
    expect(await events(page).count()).toBe(0)
    await context.close()
  })

  it('pages fifty events at a time, older and back to newer', async () => {
    const owner = await signUpByApi(world)
    for (let i = 0; i < 55; i += 1)
      await apiAs(world, owner, 'POST', '/api-keys', { name: `key ${i}`, roles: ['user'] })
    const { context, page } = await newPage(world)
    await signIn(page, owner)
    await page.goto('/settings/security-log')
    await events(page).first().waitFor()
    expect(await events(page).count()).toBe(50)
    const newest = await events(page).first().textContent()
    await page.getByTestId('events-older').click()
    // the oldest event, sign-up, is on the second page
    await events(page).filter({ hasText: 'signup' }).waitFor()
    expect(await events(page).count()).toBeLessThan(50)
    expect(await page.getByTestId('events-older').count()).toBe(0)
    await page.getByRole('button', { name: 'Newer' }).click()
    await expect.poll(() => events(page).first().textContent()).toBe(newest)
    await context.close()
  })

  it('lists the events as cards on a phone, without sideways scrolling', async () => {
    const owner = await signUpByApi(world)
    await failSignIn(owner, 'req-failed-on-phone-1')
    const { context, page } = await newPage(world, PHONE)
    await signIn(page, owner)
    await page.goto('/settings/security-log')
    await events(page).filter({ hasText: 'req-failed-on-phone-1' }).waitFor()
    expect(await page.locator('table').count()).toBe(0)
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width)
    expect(await axeViolations(page, 'critical')).toEqual([])
    expect(await axeViolations(page, 'serious')).toEqual([])
    await shot(page, 'security-log-phone')
    await context.close()
  })
})
