import { readdir, readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { createJobs, createRegistry, type Jobs } from '@tessera/kernel'
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startWorker, type Worker } from '../../server/src/events/worker.ts'
import { installedModules } from '../../server/src/modules.ts'
import {
  apiAs,
  axeViolations,
  type Member,
  newPage,
  PASSWORD,
  PHONE,
  shot,
  signIn,
  signUpByApi,
  skippedOnServerRun,
  startWorld,
  type World,
} from './harness.ts'

// the webhook receiver listens on loopback, which the outbound guard refuses unless allowed
const ALLOW = ['127.0.0.1']

let world: World
let jobs: Jobs
let worker: Worker
const received: string[] = []
let receiverUrl = ''
let closeReceiver: () => Promise<void> = async () => {}

/** A webhook receiver that answers every POST with 200 "thanks" and remembers the bodies. */
async function startReceiver() {
  const server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk) => {
      body += chunk
    })
    request.on('end', () => {
      received.push(body)
      response.writeHead(200, { 'content-type': 'text/plain' }).end('thanks')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  closeReceiver = () => new Promise<void>((resolve) => server.close(() => resolve()))
}

/** Picks `option` in the Ant Design select labelled `label` inside `scope`. */
async function pick(page: Page, scope: Locator, label: string, option: string | RegExp) {
  await scope.getByLabel(label, { exact: true }).click()
  await page
    .locator('.ant-select-dropdown:visible .ant-select-item-option')
    .filter({ hasText: option })
    .click()
}

/** The error Ant Design shows under the form item labelled `label` in `scope`. */
const errorUnder = (scope: Locator, label: string) =>
  scope
    .locator('.ant-form-item')
    .filter({ has: scope.page().getByLabel(label, { exact: true }) })
    .locator('.ant-form-item-explain-error')

/** The set-password token of the invitation mailed to `to` (the test app writes mail to .eml files). */
async function invitationToken(to: string): Promise<string> {
  let token: string | undefined
  await expect
    .poll(
      async () => {
        for (const name of await readdir(world.t.mail.dir).catch(() => [])) {
          const raw = await readFile(join(world.t.mail.dir, name), 'utf8')
          if (!raw.toLowerCase().includes(`to: ${to.toLowerCase()}`)) continue
          const text = raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=')
          token = /reset-password#token=([A-Za-z0-9_-]+)/.exec(text)?.[1]
          if (token) return true
        }
        return false
      },
      { timeout: 15_000 },
    )
    .toBe(true)
  return token as string
}

/** A tenant with partners active and two partners, one organisation and one person. */
async function tenantWithPartners(): Promise<Member> {
  const owner = await signUpByApi(world)
  await apiAs(world, owner, 'PATCH', '/modules/partners', { active: true })
  await apiAs(world, owner, 'POST', '/partners', {
    name: 'Acme',
    kind: 'organization',
    email: 'hello@acme.test',
  })
  await apiAs(world, owner, 'POST', '/partners', {
    name: 'Bob Smith',
    kind: 'person',
    email: 'bob@smith.test',
  })
  return owner
}

describe.skipIf(skippedOnServerRun('admin.test.ts'))('web app: administration', () => {
  beforeAll(async () => {
    world = await startWorld({ env: { TESSERA_OUTBOUND_ALLOW: ALLOW.join(',') } })
    await startReceiver()
    jobs = createJobs(world.t.database, { worker: true, pollingIntervalSeconds: 0.5 })
    worker = await startWorker({
      database: world.t.database,
      registry: createRegistry(installedModules),
      sealingKey: world.t.identity.sealingKey,
      config: { natsUrl: undefined, outboundAllow: ALLOW },
      jobs,
      dispatchIntervalMs: 100,
    })
  })
  afterAll(async () => {
    await worker?.stop()
    await jobs?.stop()
    await closeReceiver()
    await world?.close()
  })

  it('creates a role with a record rule and a field mask, invites a member with it, and the member sees only what the rules allow', {
    timeout: 120_000,
  }, async () => {
    const owner = await tenantWithPartners()
    const { context, page } = await newPage(world)
    await signIn(page, owner)

    // reachable from the navigation, under Settings
    await page.getByRole('menuitem', { name: 'Settings' }).click()
    await page.getByRole('menuitem', { name: 'Roles' }).click()
    await page.waitForURL(/\/settings\/roles$/)
    await page.getByTestId('role-new').click()
    await page.getByLabel('Key', { exact: true }).fill('sales_rep')
    await page.getByLabel('Role name', { exact: true }).fill('Sales rep')
    await page.getByRole('button', { name: /^partners \(0\// }).click()
    await page.getByLabel('partners.partner:read', { exact: true }).check()
    await page.getByTestId('role-save').click()
    await page.waitForURL(/\/settings\/roles\/[0-9a-f-]{36}$/)
    await page.getByRole('heading', { name: 'Sales rep' }).waitFor()

    const recordRules = page.locator('form#record-rule')
    await pick(page, recordRules, 'Entity', 'partners.partner')
    await recordRules.getByLabel('Filter', { exact: true }).fill("knd = 'organization'")
    await page.getByTestId('record-rule-save').click()
    // the server's complaint about the filter is shown on the filter field
    await expect.poll(() => errorUnder(recordRules, 'Filter').textContent()).toMatch(/knd/)
    await recordRules.getByLabel('Filter', { exact: true }).fill("kind = 'organization'")
    await page.getByTestId('record-rule-save').click()
    await page.getByRole('cell', { name: "kind = 'organization'" }).waitFor()

    const fieldRules = page.locator('form#field-rule')
    await pick(page, fieldRules, 'Entity', 'partners.partner')
    await pick(page, fieldRules, 'Field', '(email)')
    await page.getByTestId('field-rule-save').click()
    await page.getByRole('cell', { name: 'email', exact: true }).waitFor()
    expect(await axeViolations(page)).toEqual([])
    await shot(page, 'desktop-admin-role')

    // invite Alan as a plain user, then give him the new role
    const email = `alan-${Date.now()}@example.com`
    await page.goto('/settings/members')
    const invite = page.locator('form#invite')
    await invite.getByLabel('Email', { exact: true }).fill(email)
    await invite.getByLabel('Name', { exact: true }).fill('Alan Turing')
    await page.getByTestId('invite-submit').click()
    const row = page.getByRole('row').filter({ hasText: email })
    await row.waitFor()
    await page.getByRole('button', { name: 'Roles of Alan Turing' }).click()
    // Alan keeps "user", which does not read contacts: it must not lift sales_rep's rule and mask
    const roles = page.locator('form#member-roles').getByLabel('Roles', { exact: true })
    await roles.click()
    await page
      .locator('.ant-select-dropdown:visible .ant-select-item-option')
      .filter({ hasText: 'sales_rep' })
      .click()
    // a multiple select stays open after a pick: a click beside it closes it (Escape would close the dialog)
    await page.getByRole('dialog').locator('.ant-modal-title').click()
    await page.locator('.ant-select-dropdown:visible').waitFor({ state: 'detached' })
    await page.getByTestId('member-roles-save').click()
    await row.getByText('sales_rep', { exact: true }).waitFor()
    await row.getByText('user', { exact: true }).waitFor()
    // and the screen says why Alan cannot see Bob's record, and which fields are masked from him
    const partners = await apiAs<{ data: { id: string; name: string }[] }>(world, owner, 'GET', '/partners')
    const bob = partners.data.find((p) => p.name === 'Bob Smith')
    const explain = page.locator('form#explain')
    await pick(page, explain, 'Member', 'Alan Turing')
    await pick(page, explain, 'Entity', 'partners.partner')
    await explain.getByLabel('Record id', { exact: true }).fill(bob?.id ?? '')
    await page.getByTestId('explain-submit').click()
    const explanation = page.getByTestId('explanation')
    await explanation.getByText('no_record_rule_matches').waitFor()
    expect(await explanation.textContent()).toContain('email')
    expect(await axeViolations(page)).toEqual([])
    await shot(page, 'desktop-admin-members')
    await context.close()

    // Alan chooses his password from the invitation and signs in
    const token = await invitationToken(email)
    const confirmed = await fetch(`${world.url}/api/v1/auth/password-reset/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, password: PASSWORD }),
    })
    expect(confirmed.status).toBe(200)
    const alan = await newPage(world)
    await signIn(alan.page, { email, password: PASSWORD })
    await alan.page.goto('/e/partners.partner')
    await alan.page.getByRole('link', { name: 'Acme' }).waitFor()
    // the record rule keeps the person out, the field mask keeps the email column out
    expect(await alan.page.getByText('Bob Smith').count()).toBe(0)
    expect(await alan.page.getByRole('columnheader', { name: 'Email' }).count()).toBe(0)
    expect(await alan.page.getByText('hello@acme.test').count()).toBe(0)
    // an administration screen he has no right to says so
    await alan.page.goto('/settings/webhooks')
    await alan.page.getByText('Access denied').waitFor()
    await alan.context.close()
  })

  it('edits a field mask in place, and says so when the change would duplicate another mask', async () => {
    const owner = await tenantWithPartners()
    const role = await apiAs<{ id: string }>(world, owner, 'POST', '/roles', {
      key: 'auditor',
      name: 'Auditor',
      permissions: ['partners.partner:read'],
    })
    const mask = (field: string) =>
      apiAs<{ id: string }>(world, owner, 'POST', '/access/field-rules', {
        role: 'auditor',
        entity: 'partners.partner',
        field,
        access: 'hidden',
      })
    const email = await mask('email')
    await mask('phone')
    const rulesNow = async () =>
      (
        await apiAs<{ data: { id: string; field: string; access: string; version: number }[] }>(
          world,
          owner,
          'GET',
          '/access/field-rules?role=auditor',
        )
      ).data
    const { context, page } = await newPage(world)
    await signIn(page, owner)
    await page.goto(`/settings/roles/${role.id}`)
    await page.getByRole('heading', { name: 'Auditor' }).waitFor()

    const fieldRules = page.locator('form#field-rule')
    const emailRow = page
      .getByRole('row')
      .filter({ has: page.getByRole('cell', { name: 'email', exact: true }) })
    await emailRow.getByTestId('field-rule-edit').click()
    // the form holds the rule, and saving it changes that rule instead of adding one
    await expect.poll(() => fieldRules.getByLabel('Field', { exact: true }).count()).toBe(1)
    await fieldRules.getByText('Email (email)').waitFor()
    await page.getByTestId('field-rule-cancel').waitFor()

    // one mask per field: the server's refusal is shown on the field, and nothing is written
    await pick(page, fieldRules, 'Field', '(phone)')
    await page.getByTestId('field-rule-save').click()
    await expect.poll(() => errorUnder(fieldRules, 'Field').textContent()).toMatch(/already has a rule/)
    expect((await rulesNow()).map((r) => `${r.field}:${r.access}`).sort()).toEqual([
      'email:hidden',
      'phone:hidden',
    ])

    await pick(page, fieldRules, 'Field', '(mobile)')
    await fieldRules.getByLabel('Read-only', { exact: true }).check()
    await page.getByTestId('field-rule-save').click()
    const mobileRow = page
      .getByRole('row')
      .filter({ has: page.getByRole('cell', { name: 'mobile', exact: true }) })
    await mobileRow.getByText('Read-only', { exact: true }).waitFor()
    await emailRow.waitFor({ state: 'detached' })
    const changed = (await rulesNow()).find((r) => r.id === email.id)
    expect(changed).toMatchObject({ field: 'mobile', access: 'read_only', version: 2 })
    expect(await rulesNow()).toHaveLength(2)
    // the form is back to adding a rule
    expect(await page.getByTestId('field-rule-cancel').count()).toBe(0)
    expect(await page.getByTestId('field-rule-save').textContent()).toBe('Add the field mask')
    // away from the button, which draws its lighter hover shade while the pointer is on it
    await page.mouse.move(0, 0)
    expect(await axeViolations(page)).toEqual([])
    expect(await axeViolations(page, 'serious')).toEqual([])
    await shot(page, 'desktop-admin-field-mask-edited')
    await context.close()
  })

  it('highlights the menu entry a detail page belongs to, and draws the header controls one height', async () => {
    const owner = await tenantWithPartners()
    const role = await apiAs<{ id: string }>(world, owner, 'POST', '/roles', {
      key: 'viewer',
      name: 'Viewer',
      permissions: ['partners.partner:read'],
    })
    const hook = await apiAs<{ id: string }>(world, owner, 'POST', '/webhooks', {
      url: `${receiverUrl}/menu`,
      events: ['*'],
    })
    const partners = await apiAs<{ data: { id: string }[] }>(world, owner, 'GET', '/partners')
    const { context, page } = await newPage(world)
    await signIn(page, owner)
    const selected = page.getByTestId('sider').locator('.ant-menu-item-selected')
    const pages: [string, string][] = [
      [`/settings/roles/${role.id}`, 'Roles'],
      [`/settings/webhooks/${hook.id}`, 'Webhooks'],
      [`/e/partners.partner/${partners.data[0]?.id}`, 'Contacts'],
      ['/settings/roles', 'Roles'],
    ]
    for (const [path, entry] of pages) {
      await page.goto(path)
      await page.getByRole('heading').first().waitFor()
      // exactly one entry is lit, the list the page belongs to, and its submenu is open to show it
      await expect.poll(() => selected.allTextContents(), { message: path }).toEqual([entry])
      expect(await selected.isVisible(), path).toBe(true)
    }

    // the search box is as tall as the header's buttons beside it, and level with them
    const search = page.locator('header .ant-select', { has: page.getByTestId('global-search') })
    const field = page.locator('header .ant-input-affix-wrapper', { has: page.getByTestId('global-search') })
    const button = await page.getByTestId('theme-toggle').boundingBox()
    for (const box of [await search.boundingBox(), await field.boundingBox()]) {
      expect(box?.height).toBe(button?.height)
      expect(box?.y).toBeCloseTo(button?.y ?? Number.NaN, 0)
    }
    expect((await page.getByTestId('user-menu').boundingBox())?.height).toBe(button?.height)
    expect(await axeViolations(page)).toEqual([])
    expect(await axeViolations(page, 'serious')).toEqual([])
    await shot(page, 'desktop-menu-highlight')
    await context.close()
  })

  it('subscribes a webhook, shows its secret once and its delivery log, and sends a delivery again', async () => {
    // no partner yet: the only event the webhook can receive is the one this test causes
    const owner = await signUpByApi(world)
    await apiAs(world, owner, 'PATCH', '/modules/partners', { active: true })
    const { context, page } = await newPage(world)
    await signIn(page, owner)
    await page.goto('/settings/webhooks')
    const form = page.locator('form#webhook')
    await form.getByLabel('URL', { exact: true }).fill(`${receiverUrl}/hooks`)
    await form.getByLabel('Event types', { exact: true }).fill('partners.partner.*')
    await page.keyboard.press('Enter')
    await page.keyboard.press('Escape')
    await page.getByTestId('webhook-create').click()
    expect(await page.getByTestId('webhook-secret').textContent()).toMatch(/^whsec_/)
    await page.getByRole('link', { name: `${receiverUrl}/hooks` }).waitFor()

    const initech = () => received.filter((body) => body.includes('Initech')).length
    await apiAs(world, owner, 'POST', '/partners', { name: 'Initech', kind: 'organization' })
    await page.getByRole('link', { name: 'Delivery log' }).click()
    await page.getByRole('heading', { name: `Deliveries to ${receiverUrl}/hooks` }).waitFor()
    await expect
      .poll(
        async () => {
          await page.getByTestId('deliveries-refresh').click()
          return page.getByTestId('delivery-status').first().textContent()
        },
        { timeout: 30_000 },
      )
      .toBe('succeeded · HTTP 200')
    expect(await page.getByTestId('delivery-answer').first().textContent()).toBe('thanks')
    expect(initech()).toBe(1)
    expect(await axeViolations(page)).toEqual([])
    await shot(page, 'desktop-admin-webhook-log')

    await page.getByTestId('delivery-replay').first().click()
    await page.getByText('The delivery is being sent again.').waitFor()
    await expect.poll(initech, { timeout: 30_000 }).toBe(2)

    // pausing it goes through If-Match
    await page.goto('/settings/webhooks')
    await page.getByRole('switch', { name: `Deliver to ${receiverUrl}/hooks` }).click()
    await expect
      .poll(
        async () =>
          (await apiAs<{ data: { active: boolean }[] }>(world, owner, 'GET', '/webhooks')).data[0]?.active,
      )
      .toBe(false)
    expect(await axeViolations(page)).toEqual([])
    await shot(page, 'desktop-admin-webhooks')
    await context.close()
  })

  it('changes the company’s colour and logo, applies them to the theme at once, and says so on a conflict', async () => {
    const owner = await signUpByApi(world)
    const { context, page } = await newPage(world)
    await signIn(page, owner)
    await page.getByRole('menuitem', { name: 'Settings' }).click()
    await page.getByRole('menuitem', { name: /Company$/ }).click()
    await page.waitForURL(/\/settings\/company$/)
    const form = page.locator('form#company')
    await form.getByLabel('Primary colour', { exact: true }).fill('red')
    await page.getByTestId('company-save').click()
    await expect.poll(() => errorUnder(form, 'Primary colour').textContent()).toMatch(/six hex digits/)
    // the server's refusal lands on its field: a logo must be served over https
    await form.getByLabel('Primary colour', { exact: true }).fill('#7a1f5c')
    await form.getByLabel('Logo URL', { exact: true }).fill('http://insecure.example/logo.png')
    await page.getByTestId('company-save').click()
    await expect.poll(() => errorUnder(form, 'Logo URL').textContent()).toMatch(/logo_url/)

    await form.getByLabel('Logo URL', { exact: true }).fill('https://127.0.0.1:1/logo.png')
    await page.getByTestId('company-save').click()
    await page.getByText('Saved', { exact: true }).waitFor()
    await expect.poll(() => form.locator('.ant-form-item-explain-error').count()).toBe(0)
    // away from the button, which draws its hover shade while the pointer is on it
    await page.mouse.move(0, 0)
    // the shell's theme takes the colour without a reload: the primary button is drawn in it
    await expect
      .poll(() =>
        page.evaluate(
          `getComputedStyle(document.querySelector('[data-testid="company-save"]')).backgroundColor`,
        ),
      )
      .toBe('rgb(122, 31, 92)')
    expect(await page.getByTestId('sider').locator('img').getAttribute('src')).toBe(
      'https://127.0.0.1:1/logo.png',
    )
    expect(await axeViolations(page)).toEqual([])
    await shot(page, 'desktop-admin-company')

    // someone else saves first: a clear message and a way to reload, not a silent overwrite
    const [company] = (
      await apiAs<{ data: { id: string; version: number }[] }>(world, owner, 'GET', '/companies')
    ).data
    const res = await fetch(`${world.url}/api/v1/companies/${company?.id}`, {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${owner.token}`,
        'content-type': 'application/json',
        'if-match': `"${company?.version}"`,
      },
      body: JSON.stringify({ name: 'Renamed elsewhere' }),
    })
    expect(res.status).toBe(200)
    await form.getByLabel('Company name', { exact: true }).fill('Mine')
    await page.getByTestId('company-save').click()
    await expect.poll(() => page.getByTestId('company-error').textContent()).toMatch(/Someone changed this/)
    await page.getByRole('button', { name: 'Reload' }).click()
    await expect
      .poll(() => form.getByLabel('Company name', { exact: true }).inputValue())
      .toBe('Renamed elsewhere')
    await context.close()
  })

  it('fits the administration screens on a phone', async () => {
    const owner = await tenantWithPartners()
    const role = await apiAs<{ id: string }>(world, owner, 'POST', '/roles', {
      key: 'clerk',
      name: 'Clerk',
      permissions: ['partners.partner:read'],
    })
    const hook = await apiAs<{ id: string }>(world, owner, 'POST', '/webhooks', {
      url: `${receiverUrl}/phone`,
      events: ['*'],
    })
    // a delivery in the log, so that the phone draws one
    await apiAs(world, owner, 'POST', '/partners', { name: 'Umbrella', kind: 'organization' })
    await expect
      .poll(
        async () =>
          (await apiAs<{ data: unknown[] }>(world, owner, 'GET', `/webhooks/${hook.id}/deliveries`)).data
            .length,
        { timeout: 30_000 },
      )
      .toBeGreaterThan(0)
    const { context, page } = await newPage(world, PHONE)
    await signIn(page, owner)
    const screens: [string, string][] = [
      ['/settings/members', 'phone-admin-members'],
      ['/settings/roles', 'phone-admin-roles'],
      [`/settings/roles/${role.id}`, 'phone-admin-role'],
      ['/settings/webhooks', 'phone-admin-webhooks'],
      [`/settings/webhooks/${hook.id}`, 'phone-admin-webhook-log'],
      ['/settings/company', 'phone-admin-company'],
    ]
    for (const [path, name] of screens) {
      await page.goto(path)
      await page.getByRole('heading', { level: 1 }).waitFor()
      await expect.poll(() => page.locator('.ant-spin-spinning').count()).toBe(0)
      // nothing wider than the phone: wide tables scroll inside themselves
      expect(await page.evaluate('document.documentElement.scrollWidth'), path).toBeLessThanOrEqual(
        PHONE.width,
      )
      expect(await axeViolations(page), path).toEqual([])
      expect(await axeViolations(page, 'serious'), path).toEqual([])
      await shot(page, name)
    }
    await context.close()
  })
})
