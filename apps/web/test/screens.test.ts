import { notify, withTenant } from '@tessera/kernel'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  apiAs,
  axeViolations,
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

let world: World

/** A tenant with partners active, a custom field, two contacts and a custom entity with a board. */
async function furnishedTenant(): Promise<Member> {
  const member = await signUpByApi(world)
  await apiAs(world, member, 'PATCH', '/modules/partners', { active: true })
  await apiAs(world, member, 'POST', '/meta/entities/partners.partner/fields', {
    key: 'referral_source',
    type: 'text',
    label: 'Referral source',
  })
  for (const [name, kind] of [
    ['Acme Corporation', 'organization'],
    ['Wile E. Coyote', 'person'],
  ])
    await apiAs(world, member, 'POST', '/partners', { name, kind, custom: { referral_source: 'fair' } })
  await apiAs(world, member, 'POST', '/meta/entities', {
    name: 'ticket',
    label: 'Ticket',
    plural_label: 'Tickets',
    display_field: 'title',
    fields: [
      { key: 'title', type: 'text', label: 'Title', required: true },
      { key: 'stage', type: 'select', label: 'Stage', options: ['todo', 'doing', 'done'] },
    ],
    layout: { list: ['title', 'stage'], kanban: 'stage' },
  })
  await apiAs(world, member, 'POST', '/custom/tickets', { title: 'Fix the printer', stage: 'todo' })
  return member
}

describe.skipIf(skippedOnServerRun('screens.test.ts'))(
  'web app: accessibility, screens and the shell',
  () => {
    beforeAll(async () => {
      world = await startWorld()
    })
    afterAll(async () => {
      await world?.close()
    })

    it('has no critical or serious axe violations on the sign-in, list and form pages', async () => {
      const member = await furnishedTenant()
      const { context, page } = await newPage(world)
      // Ant Design's table keeps a hidden row to measure column widths; axe flags its focusable cells
      const known = (v: { id: string; nodes: string[] }) =>
        !(v.id === 'aria-hidden-focus' && v.nodes.every((n) => n.includes('ant-table-measure-row')))
      const violations = async () => [
        ...(await axeViolations(page, 'critical')),
        ...(await axeViolations(page, 'serious')).filter(known),
      ]
      await page.goto('/login')
      await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor()
      expect(await violations()).toEqual([])
      await signIn(page, member)
      await page.goto('/e/partners.partner')
      await page.getByRole('link', { name: 'Acme Corporation' }).waitFor()
      expect(await violations()).toEqual([])
      await page.getByRole('link', { name: 'Acme Corporation' }).click()
      await page.getByTestId('form-title').filter({ hasText: 'Acme Corporation' }).waitFor()
      expect(await violations()).toEqual([])
      await context.close()
    })

    it('saves screenshots of the main pages at desktop size', async () => {
      const member = await furnishedTenant()
      const { context, page } = await newPage(world)
      await page.goto('/login')
      await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor()
      await shot(page, 'desktop-login')
      await page.goto('/signup')
      await page.getByRole('button', { name: 'Create an account' }).waitFor()
      await shot(page, 'desktop-signup')
      await signIn(page, member)
      await shot(page, 'desktop-home')
      await page.goto('/e/partners.partner')
      await page.getByRole('link', { name: 'Acme Corporation' }).waitFor()
      await shot(page, 'desktop-list')
      await page.getByRole('link', { name: 'Acme Corporation' }).click()
      await page.getByTestId('form-title').filter({ hasText: 'Acme Corporation' }).waitFor()
      await page.getByLabel('Referral source', { exact: true }).waitFor()
      await shot(page, 'desktop-form')
      await page.goto('/e/custom.ticket?view=kanban')
      await page.getByTestId('kanban-card').waitFor()
      await shot(page, 'desktop-kanban')
      await page.goto('/settings/modules')
      await page.getByTestId('module-partners').waitFor()
      await shot(page, 'desktop-modules')
      await page.goto('/settings/custom-fields')
      await page.getByTestId('custom-field-add').waitFor()
      await shot(page, 'desktop-custom-fields')
      await context.close()
    })

    it('collapses the navigation into a drawer and lists as cards on a phone', async () => {
      const member = await furnishedTenant()
      const { context, page } = await newPage(world, PHONE)
      await page.goto('/login')
      await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor()
      await shot(page, 'phone-login')
      await signIn(page, member)
      expect(await page.getByTestId('sider').count()).toBe(0)
      await shot(page, 'phone-home')
      await page.getByTestId('menu-button').click()
      await page.getByRole('menuitem', { name: 'Contacts' }).first().click()
      await page.getByRole('menuitem', { name: 'Contacts' }).last().click()
      await page.waitForURL(/\/e\/partners\.partner$/)
      await page.getByTestId('record-card').first().waitFor()
      expect(await page.getByRole('table').count()).toBe(0)
      await shot(page, 'phone-list')
      await page.getByRole('link', { name: 'Acme Corporation' }).click()
      await page.getByTestId('form-title').filter({ hasText: 'Acme Corporation' }).waitFor()
      await page.getByLabel('Referral source', { exact: true }).waitFor()
      await shot(page, 'phone-form')
      await page.goto('/e/custom.ticket?view=kanban')
      await page.getByTestId('kanban-card').waitFor()
      await shot(page, 'phone-kanban')
      await page.getByTestId('menu-button').click()
      await page.getByRole('dialog').waitFor()
      await shot(page, 'phone-menu')
      await context.close()
    })

    it('shows a new notification on the bell without a reload', async () => {
      const member = await signUpByApi(world)
      const { context, page } = await newPage(world)
      await signIn(page, member)
      const bell = page.getByTestId('notification-bell')
      await expect.poll(() => bell.getAttribute('aria-label')).toBe('Notifications (0)')
      await withTenant(world.t.database.db, member.tenantId, (trx) =>
        notify(trx, { userId: member.userId, type: 'kernel.security.alert', title: 'A new sign-in' }),
      )
      await expect.poll(() => bell.getAttribute('aria-label'), { timeout: 20_000 }).toBe('Notifications (1)')
      await bell.click()
      await page.getByText('A new sign-in').waitFor()
      await context.close()
    })

    it('switches to French and to dark mode, and remembers both', async () => {
      const member = await signUpByApi(world)
      const { context, page } = await newPage(world)
      await signIn(page, member)
      await page.getByTestId('language-switch').click()
      await page
        .locator('.ant-select-dropdown:visible .ant-select-item-option')
        .filter({ hasText: 'Français' })
        .click()
      await page.getByRole('heading', { name: 'Bienvenue, Grace Hopper' }).waitFor()
      await page.getByTestId('theme-toggle').click()
      await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBe('dark')
      await shot(page, 'desktop-home-dark-fr')
      await page.reload()
      await page.getByRole('heading', { name: 'Bienvenue, Grace Hopper' }).waitFor()
      expect(await page.locator('html').getAttribute('data-theme')).toBe('dark')
      expect(await page.locator('html').getAttribute('lang')).toBe('fr')
      await context.close()
    })
  },
)
