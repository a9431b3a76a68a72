import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  apiAs,
  newPage,
  shot,
  signIn,
  signUpByApi,
  skippedOnServerRun,
  startWorld,
  type World,
} from './harness.ts'
import { addMember } from './members.ts'

let world: World

describe.skipIf(skippedOnServerRun('shell.test.ts'))('web app: refusals, search and sessions', () => {
  beforeAll(async () => {
    world = await startWorld()
  })
  afterAll(async () => {
    await world?.close()
  })

  it('shows an access-denied page, not a blank screen, where a member has no right', async () => {
    const owner = await signUpByApi(world)
    await apiAs(world, owner, 'PATCH', '/modules/partners', { active: true })
    const clerk = await addMember(world, owner, ['user'])
    const { context, page } = await newPage(world)
    await signIn(page, clerk)
    await page.getByText('No apps are open to you yet.', { exact: false }).waitFor()
    // the menu offers nothing the member cannot open
    expect(await page.getByRole('menuitem', { name: 'Contacts' }).count()).toBe(0)
    for (const path of ['/e/partners.partner', '/e/partners.partner/new', '/settings/webhooks']) {
      await page.goto(path)
      await page.getByText('Access denied').waitFor()
      await page.getByText('You do not have the right to see this page.').waitFor()
    }
    await shot(page, 'desktop-forbidden')
    await page.getByRole('button', { name: 'Go home' }).click()
    await page.waitForURL(/\/$/)
    await context.close()
  })

  it('shows a new workspace how to add apps, then the apps as tiles on the home page', async () => {
    const member = await signUpByApi(world)
    const { context, page } = await newPage(world)
    await signIn(page, member)
    await page.getByText('No apps are on yet.', { exact: false }).waitFor()
    await page.getByTestId('add-apps').click()
    await page.waitForURL(/\/settings\/modules$/)
    await apiAs(world, member, 'PATCH', '/modules/partners', { active: true })
    await apiAs(world, member, 'POST', '/meta/entities', {
      name: 'visit',
      label: 'Visit',
      plural_label: 'Visits',
      fields: [{ key: 'place', type: 'text', label: 'Place' }],
    })
    await page.goto('/')
    const contacts = page.getByTestId('app-tile').filter({ hasText: 'Contacts' })
    await contacts.waitFor()
    await page
      .getByTestId('app-tile')
      .filter({ hasText: 'Other records' })
      .getByRole('link', { name: 'Visits' })
      .waitFor()
    await shot(page, 'desktop-home-apps')
    await contacts.getByRole('link').first().click()
    await page.waitForURL(/\/e\/partners\.partner$/)
    await context.close()
  })

  it('finds a record from the header search box and opens it', async () => {
    const member = await signUpByApi(world)
    await apiAs(world, member, 'PATCH', '/modules/partners', { active: true })
    const acme = await apiAs<{ id: string }>(world, member, 'POST', '/partners', {
      name: 'Acme Corporation',
      kind: 'organization',
    })
    await apiAs(world, member, 'POST', '/partners', { name: 'Globex', kind: 'organization' })
    const { context, page } = await newPage(world)
    await signIn(page, member)
    await page.getByTestId('global-search').fill('acme')
    const option = page.locator('.ant-select-dropdown:visible .ant-select-item-option')
    await option.filter({ hasText: 'Acme Corporation' }).waitFor()
    expect(await option.filter({ hasText: 'Globex' }).count()).toBe(0)
    await page.getByTestId('global-search').press('ArrowDown')
    await page.getByTestId('global-search').press('Enter')
    await page.waitForURL(new RegExp(`/e/partners\\.partner/${acme.id}$`))
    await page.getByTestId('form-title').filter({ hasText: 'Acme Corporation' }).waitFor()
    expect(await page.getByTestId('global-search').inputValue()).toBe('')
    await context.close()
  })

  it('signs in with a backup code once, and refuses the same code again', async () => {
    const { TOTP, Secret } = await import('otpauth')
    const member = await signUpByApi(world)
    const enrollment = await apiAs<{ secret: string }>(world, member, 'POST', '/auth/mfa/enrollment')
    const code = new TOTP({ secret: Secret.fromBase32(enrollment.secret), digits: 6, period: 30 }).generate()
    const { backup_codes } = await apiAs<{ backup_codes: string[] }>(
      world,
      member,
      'POST',
      '/auth/mfa/enrollment/confirm',
      { code },
    )
    const backup = backup_codes[0] as string
    const { context, page } = await newPage(world)
    const passwordStep = async () => {
      await page.goto('/login')
      await page.getByLabel('Email').fill(member.email)
      await page.getByLabel('Password').fill(member.password)
      await page.getByRole('button', { name: 'Sign in', exact: true }).click()
      await page.getByRole('button', { name: 'Use a backup code' }).click()
      await page.getByLabel('Backup code').fill(backup)
      await page.getByRole('button', { name: 'Verify' }).click()
    }
    await passwordStep()
    await page.getByTestId('user-menu').waitFor()
    await page.goto('/settings/security')
    await page.getByTestId('mfa-status').filter({ hasText: 'Two-factor sign-in is on.' }).waitFor()
    await page.getByTestId('user-menu').click()
    await page.getByRole('menuitem', { name: 'Sign out' }).click()
    await page.waitForURL(/\/login/)

    await passwordStep()
    await page.getByRole('alert').first().waitFor()
    expect(page.url()).toMatch(/\/login/)
    expect(await page.getByTestId('user-menu').count()).toBe(0)
    await context.close()
  })

  it('revokes one other session from the session list, and keeps this one', async () => {
    const member = await signUpByApi(world)
    const here = await world.browser.newContext({ baseURL: world.url, userAgent: 'Office desktop' })
    const there = await world.browser.newContext({ baseURL: world.url, userAgent: 'Lost phone' })
    const [mine, lost] = [await here.newPage(), await there.newPage()]
    await signIn(mine, member)
    await signIn(lost, member)

    await mine.goto('/settings/security')
    const row = mine.locator('.ant-list-item').filter({ hasText: 'Lost phone' })
    await row.waitFor()
    await mine
      .locator('.ant-list-item')
      .filter({ hasText: 'Office desktop' })
      .getByText('this session')
      .waitFor()
    await shot(mine, 'desktop-sessions')
    await row.getByRole('button', { name: 'Revoke' }).click()
    await row.waitFor({ state: 'detached' })

    // the lost phone's next request finds its session gone and goes back to sign-in
    await lost.goto('/settings/security')
    await lost.waitForURL(/\/login\?next=/)
    await mine.reload()
    await mine.locator('.ant-list-item').filter({ hasText: 'Office desktop' }).waitFor()
    expect(mine.url()).toMatch(/\/settings\/security$/)
    await here.close()
    await there.close()
  })
})
