import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  apiAs,
  choose,
  newPage,
  signIn,
  signUpByApi,
  skippedOnServerRun,
  startWorld,
  type World,
} from './harness.ts'

let world: World

describe.skipIf(skippedOnServerRun('records.test.ts'))('web app: records drawn from metadata', () => {
  beforeAll(async () => {
    world = await startWorld()
  })
  afterAll(async () => {
    await world?.close()
  })

  it('activates partners, adds "Referral source" in the editor, creates a partner with it and filters the list', async () => {
    const member = await signUpByApi(world)
    const { context, page } = await newPage(world)
    await signIn(page, member)

    await page.goto('/settings/modules')
    await page.getByTestId('module-toggle-partners').click()
    await expect
      .poll(() => page.getByTestId('module-toggle-partners').getAttribute('aria-checked'))
      .toBe('true')
    // the module's menu appears without a reload
    await page.getByRole('menuitem', { name: 'Contacts' }).first().waitFor()

    await page.goto('/settings/custom-fields')
    await choose(page, 'Entity', 'partners.partner')
    await page.getByTestId('custom-field-label').fill('Referral source')
    await expect.poll(() => page.getByTestId('custom-field-key').inputValue()).toBe('referral_source')
    await page.getByTestId('custom-field-add').click()
    await page.getByRole('cell', { name: 'referral_source' }).waitFor()

    await page.goto('/partners')
    await page.waitForURL(/\/e\/partners\.partner$/)
    for (const [name, source] of [
      ['Acme Corporation', 'trade fair'],
      ['Globex', 'website'],
    ]) {
      await page.getByTestId('new-record').click()
      await page.getByTestId('form-title').filter({ hasText: 'New Contact' }).waitFor()
      await page.getByLabel('Name', { exact: true }).fill(name as string)
      await choose(page, 'Kind', 'organization')
      await page.getByLabel('Referral source').fill(source as string)
      await page.getByTestId('save').click()
      await page
        .getByTestId('form-title')
        .filter({ hasText: name as string })
        .waitFor()
      await page.getByRole('link', { name: 'Back to the list' }).click()
    }
    await page.getByRole('cell', { name: 'trade fair' }).waitFor()

    // the filter language
    await page.getByTestId('filter-input').fill("custom.referral_source = 'trade fair'")
    await page.getByTestId('filter-apply').click()
    await expect.poll(() => page.getByTestId('record-count').textContent()).toContain('1 records')
    await expect.poll(() => page.getByRole('link', { name: 'Globex' }).count()).toBe(0)
    await page.getByRole('link', { name: 'Acme Corporation' }).waitFor()

    // a per-column filter, on its own
    await page.getByRole('button', { name: 'Clear' }).click()
    await expect.poll(() => page.getByTestId('record-count').textContent()).toContain('2 records')
    await page.getByLabel('Filter Referral source').fill('web')
    await page.getByLabel('Filter Referral source').press('Enter')
    await expect.poll(() => page.getByTestId('record-count').textContent()).toContain('1 records')
    await page.getByRole('link', { name: 'Globex' }).waitFor()

    const stored = await apiAs<{ data: { name: string; custom: { referral_source: string } }[] }>(
      world,
      member,
      'GET',
      '/partners?sort=name',
    )
    expect(stored.data.map((p) => [p.name, p.custom.referral_source])).toEqual([
      ['Acme Corporation', 'trade fair'],
      ['Globex', 'website'],
    ])
    await context.close()
  })

  it("exports the filtered list as CSV and shows a record's history", async () => {
    const member = await signUpByApi(world)
    await apiAs(world, member, 'PATCH', '/modules/partners', { active: true })
    const acme = await apiAs<{ id: string }>(world, member, 'POST', '/partners', {
      name: 'Acme Corporation',
      kind: 'organization',
    })
    await apiAs(world, member, 'POST', '/partners', { name: 'Globex', kind: 'organization' })
    const { context, page } = await newPage(world)
    await signIn(page, member)
    await page.goto("/e/partners.partner?filter=name+starts_with+'Ac'")
    await expect.poll(() => page.getByTestId('record-count').textContent()).toContain('1 records')
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-csv').click(),
    ])
    const csv = await readFile((await download.path()) as string, 'utf8')
    expect(csv).toContain('Acme Corporation')
    expect(csv).not.toContain('Globex')

    // a saved filter comes back after the list is cleared
    await page.getByTestId('save-filter').click()
    await page.getByTestId('saved-filter-name').fill('Starts with Ac')
    await page.getByTestId('saved-filter-save').click()
    await page.getByRole('button', { name: 'Clear' }).click()
    await expect.poll(() => page.getByTestId('record-count').textContent()).toContain('2 records')
    await choose(page, 'Saved filters', 'Starts with Ac')
    await expect.poll(() => page.getByTestId('record-count').textContent()).toContain('1 records')

    await page.goto(`/e/partners.partner/${acme.id}`)
    await page.getByTestId('history').getByText('create', { exact: true }).waitFor()
    await context.close()
  })

  it('shows a server validation error next to its field and writes nothing', async () => {
    const member = await signUpByApi(world)
    await apiAs(world, member, 'PATCH', '/modules/partners', { active: true })
    const { context, page } = await newPage(world)
    await signIn(page, member)
    await page.goto('/e/partners.partner/new')
    await page.getByLabel('Name', { exact: true }).fill('Initech')
    await choose(page, 'Kind', 'organization')
    await page.getByLabel('Tax ID').fill('!! not a tax id')
    await page.getByTestId('save').click()
    // Ant Design renders a field's error inside its Form.Item, next to the input
    const item = page.locator('.ant-form-item').filter({ has: page.getByLabel('Tax ID') })
    await item.locator('.ant-form-item-explain-error').waitFor()
    expect(await item.locator('.ant-form-item-explain-error').textContent()).toMatch(/vat_id|pattern|match/i)
    const stored = await apiAs<{ data: unknown[] }>(world, member, 'GET', '/partners')
    expect(stored.data).toEqual([])
    await context.close()
  })

  it('moves a kanban card to another column, which updates the record', async () => {
    const member = await signUpByApi(world)
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
    const ticket = await apiAs<{ id: string }>(world, member, 'POST', '/custom/tickets', {
      title: 'Fix the printer',
      stage: 'todo',
    })
    const { context, page } = await newPage(world)
    await signIn(page, member)
    await page.goto('/e/custom.ticket?view=kanban')
    const card = page.getByTestId('kanban-column-todo').getByTestId('kanban-card')
    await card.waitFor()
    await card.dragTo(page.getByTestId('kanban-column-doing'))
    await page.getByTestId('kanban-column-doing').getByTestId('kanban-card').waitFor()
    await expect
      .poll(
        async () =>
          (await apiAs<{ stage: string }>(world, member, 'GET', `/custom/tickets/${ticket.id}`)).stage,
      )
      .toBe('doing')
    await context.close()
  })

  it('runs workflow actions from the form and the board, and shows records on the calendar', async () => {
    const member = await signUpByApi(world)
    await apiAs(world, member, 'POST', '/meta/entities', {
      name: 'job',
      label: 'Job',
      plural_label: 'Jobs',
      display_field: 'title',
      fields: [
        { key: 'title', type: 'text', label: 'Title', required: true },
        { key: 'due_on', type: 'date', label: 'Due on' },
      ],
      workflow: {
        initial: 'open',
        states: [
          { key: 'open', label: 'Open' },
          { key: 'started', label: 'Started' },
          { key: 'closed', label: 'Closed', locked: true },
        ],
        transitions: [
          { name: 'start', label: 'Start', from: ['open'], to: 'started' },
          { name: 'close', label: 'Close', from: ['open', 'started'], to: 'closed' },
        ],
      },
      layout: { list: ['title', 'due_on'], kanban: 'state', calendar: 'due_on' },
    })
    const today = new Date().toISOString().slice(0, 10)
    const job = await apiAs<{ id: string }>(world, member, 'POST', '/custom/jobs', {
      title: 'Paint',
      due_on: today,
    })
    const { context, page } = await newPage(world)
    await signIn(page, member)

    await page.goto(`/e/custom.job/${job.id}`)
    await page.getByTestId('record-state').filter({ hasText: 'Open' }).waitFor()
    await page.getByTestId('action-start').click()
    await page.getByTestId('record-state').filter({ hasText: 'Started' }).waitFor()

    await page.goto('/e/custom.job?view=kanban')
    await page
      .getByTestId('kanban-column-started')
      .getByTestId('kanban-card')
      .dragTo(page.getByTestId('kanban-column-closed'))
    await page.getByTestId('kanban-column-closed').getByTestId('kanban-card').waitFor()
    await expect
      .poll(
        async () => (await apiAs<{ state: string }>(world, member, 'GET', `/custom/jobs/${job.id}`)).state,
      )
      .toBe('closed')

    await page.goto('/e/custom.job?view=calendar')
    await page.getByTestId(`calendar-${today}`).getByRole('link', { name: 'Paint' }).waitFor()
    await context.close()
  })

  it('creates a custom entity in the editor and a record of it', async () => {
    const member = await signUpByApi(world)
    const { context, page } = await newPage(world)
    await signIn(page, member)
    await page.goto('/settings/custom-fields')
    await page.getByTestId('entity-label').fill('Visit')
    await page.getByTestId('entity-plural').fill('Visits')
    await expect.poll(() => page.getByTestId('entity-name').inputValue()).toBe('visit')
    await page.getByTestId('entity-field-0').fill('Place')
    await page.getByTestId('entity-create').click()
    await page.waitForURL(/\/e\/custom\.visit$/)
    await page.getByRole('heading', { name: 'Visits' }).waitFor()
    await page.getByTestId('new-record').click()
    await page.getByTestId('form-title').filter({ hasText: 'New Visit' }).waitFor()
    await page.getByRole('textbox', { name: 'Place', exact: true }).fill('Lisbon')
    await page.getByTestId('save').click()
    await page.getByTestId('form-title').filter({ hasText: 'Lisbon' }).waitFor()
    const stored = await apiAs<{ data: { place: string }[] }>(world, member, 'GET', '/custom/visits')
    expect(stored.data.map((v) => v.place)).toEqual(['Lisbon'])
    await context.close()
  })

  it('shows a not-found page for an unknown path and an unknown record', async () => {
    const member = await signUpByApi(world)
    await apiAs(world, member, 'PATCH', '/modules/partners', { active: true })
    const { context, page } = await newPage(world)
    await signIn(page, member)
    await page.goto('/no/such/page')
    await page.getByText('Page not found').waitFor()
    await page.goto('/e/partners.partner/01a20000-0000-7000-8000-000000000000')
    await page.getByText('Page not found').waitFor()
    await page.goto('/e/no.such_entity')
    await page.getByText('Page not found').waitFor()
    await context.close()
  })

  it('returns to sign-in when the session is lost, then back to the form with what was typed', async () => {
    const member = await signUpByApi(world)
    await apiAs(world, member, 'PATCH', '/modules/partners', { active: true })
    const { context, page } = await newPage(world)
    await signIn(page, member)
    await page.goto('/e/partners.partner/new')
    await page.getByLabel('Name', { exact: true }).fill('Hooli')
    // the member logs out everywhere from another device
    await apiAs(world, member, 'POST', '/auth/sessions/revoke-all')
    await page.getByTestId('save').click()
    await page.waitForURL(/\/login\?next=/)
    await page.getByText('Your session ended').waitFor()
    await page.getByLabel('Email').fill(member.email)
    await page.getByLabel('Password').fill(member.password)
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await page.waitForURL(/\/e\/partners\.partner\/new$/)
    await page.getByText('Your unsaved changes were restored.').waitFor()
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('Hooli')
    await context.close()
  })
})
