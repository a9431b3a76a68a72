import type { Locator, Page } from 'playwright-core'
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

let world: World

interface Field {
  key: string
  label: string
  required: boolean
  min: number | string | null
  max: number | string | null
  removed_at: string | null
  version: number
}

const fieldsOf = async (member: Member, entity: string) =>
  (await apiAs<{ data: Field[] }>(world, member, 'GET', `/meta/entities/${entity}/fields`)).data
const fieldOf = async (member: Member, entity: string, key: string) =>
  (await fieldsOf(member, entity)).find((f) => f.key === key)

/** The error Ant Design shows inside the Form.Item of the input labelled `label`, next to it. */
const errorOf = (page: Page, label: string, scope: Page | Locator = page) =>
  scope
    .locator('.ant-form-item')
    .filter({ has: page.getByLabel(label, { exact: true }) })
    .locator('.ant-form-item-explain-error')

/** Through the app's own history (no reload: the query cache stays) to the page at `path`. */
async function historyTo(page: Page, way: 'goBack' | 'goForward', path: string) {
  for (let i = 0; i < 5 && new URL(page.url()).pathname !== path; i += 1) await page[way]()
  expect(new URL(page.url()).pathname).toBe(path)
}

const confirm = (page: Page, button: string) =>
  page.locator('.ant-popconfirm:visible').getByRole('button', { name: button }).click()

async function partnersWith(member: Member, fields: Record<string, unknown>[]) {
  await apiAs(world, member, 'PATCH', '/modules/partners', { active: true })
  for (const field of fields)
    await apiAs(world, member, 'POST', '/meta/entities/partners.partner/fields', field)
}

async function chooseEntity(page: Page, entity: string) {
  await choose(page, 'Entity', `(${entity})`)
  await page.getByTestId('custom-fields-table').waitFor()
}

async function openEditor(page: Page, entity: string) {
  await page.goto('/settings/custom-fields')
  await chooseEntity(page, entity)
}

describe.skipIf(skippedOnServerRun('custom-editor.test.ts'))('web app: the custom fields editor', () => {
  beforeAll(async () => {
    world = await startWorld()
  })
  afterAll(async () => {
    await world?.close()
  })

  it('renames a field and makes it required: the record form follows at once; a bad change saves nothing', async () => {
    const member = await signUpByApi(world)
    await partnersWith(member, [
      { key: 'referral_source', type: 'text', label: 'Referral source' },
      { key: 'score', type: 'integer', label: 'Score' },
    ])
    const { context, page } = await newPage(world)
    await signIn(page, member)
    // the form's metadata in the app's cache first, to show that the editor refreshes it
    await page.goto('/settings/custom-fields')
    await page.getByRole('menuitem', { name: 'Contacts' }).first().click()
    await page.getByRole('menuitem', { name: 'Contacts' }).last().click()
    await page.getByTestId('new-record').click()
    await page.getByTestId('form-title').filter({ hasText: 'New Contact' }).waitFor()
    await page.getByLabel('Referral source').waitFor()
    await historyTo(page, 'goBack', '/settings/custom-fields')
    await chooseEntity(page, 'partners.partner')

    await page.getByTestId('field-edit-referral_source').click()
    await page.getByTestId('field-edit-label').fill('Lead source')
    await page.getByTestId('field-edit-required').check()
    await page.getByTestId('field-edit-save').click()
    await page.getByRole('cell', { name: 'Lead source', exact: true }).waitFor()
    expect(await fieldOf(member, 'partners.partner', 'referral_source')).toMatchObject({
      label: 'Lead source',
      required: true,
      version: 2,
    })

    // forward in the app without a reload: the form has the new label and refuses an empty value
    await historyTo(page, 'goForward', '/e/partners.partner/new')
    await page.getByTestId('form-title').filter({ hasText: 'New Contact' }).waitFor()
    await page.getByLabel('Lead source').waitFor()
    expect(await page.getByLabel('Referral source').count()).toBe(0)
    await page.getByLabel('Name', { exact: true }).fill('Initech')
    await choose(page, 'Kind', 'organization')
    await page.getByTestId('save').click()
    await errorOf(page, 'Lead source').waitFor()
    expect((await apiAs<{ data: unknown[] }>(world, member, 'GET', '/partners')).data).toEqual([])

    // min above max: the server's error next to Minimum, nothing saved
    await openEditor(page, 'partners.partner')
    await page.getByTestId('field-edit-score').click()
    const dialog = page.getByRole('dialog')
    await page.getByTestId('field-edit-min').fill('10')
    await page.getByTestId('field-edit-max').fill('5')
    await page.getByTestId('field-edit-save').click()
    await expect.poll(() => errorOf(page, 'Minimum', dialog).textContent()).toMatch(/greater than max/)
    // an empty label is refused next to it before anything is sent
    await page.getByTestId('field-edit-label').fill('')
    await page.getByTestId('field-edit-save').click()
    await errorOf(page, 'Label', dialog).waitFor()
    expect(await fieldOf(member, 'partners.partner', 'score')).toMatchObject({
      label: 'Score',
      min: null,
      max: null,
      version: 1,
    })

    // someone else's change meanwhile: the save says so instead of overwriting it
    await page.getByTestId('field-edit-label').fill('Rating')
    await page.getByTestId('field-edit-min').fill('0')
    await apiAs(world, member, 'PATCH', '/meta/entities/partners.partner/fields/score', {
      version: 1,
      description: 'set elsewhere',
    })
    await page.getByTestId('field-edit-save').click()
    await expect
      .poll(() => page.getByTestId('field-edit-error').textContent())
      .toContain('Someone changed this')
    expect(await fieldOf(member, 'partners.partner', 'score')).toMatchObject({ label: 'Score', version: 2 })
    await context.close()
  })

  it('removes a field and restores it with its values; erases another for good', async () => {
    const member = await signUpByApi(world)
    await partnersWith(member, [
      { key: 'referral_source', type: 'text', label: 'Referral source' },
      { key: 'legacy_code', type: 'text', label: 'Legacy code' },
    ])
    const acme = await apiAs<{ id: string }>(world, member, 'POST', '/partners', {
      name: 'Acme Corporation',
      kind: 'organization',
      custom: { referral_source: 'trade fair', legacy_code: 'AC-1' },
    })
    const { context, page } = await newPage(world)
    await signIn(page, member)
    await openEditor(page, 'partners.partner')

    await page.getByTestId('field-remove-referral_source').click()
    await confirm(page, 'Remove')
    await expect.poll(() => page.getByTestId('field-remove-referral_source').count()).toBe(0)
    await page.goto(`/e/partners.partner/${acme.id}`)
    await page.getByTestId('form-title').filter({ hasText: 'Acme Corporation' }).waitFor()
    await page.getByLabel('Legacy code').waitFor()
    expect(await page.getByLabel('Referral source').count()).toBe(0)

    await openEditor(page, 'partners.partner')
    await page.getByTestId('show-removed').click()
    await page.getByTestId('field-restore-referral_source').click()
    await page.getByTestId('field-edit-referral_source').waitFor()
    await page.goto(`/e/partners.partner/${acme.id}`)
    await expect.poll(() => page.getByLabel('Referral source').inputValue()).toBe('trade fair')

    await openEditor(page, 'partners.partner')
    await page.getByTestId('field-remove-legacy_code').click()
    await confirm(page, 'Remove')
    await page.getByTestId('show-removed').click()
    await page.getByTestId('field-purge-legacy_code').click()
    await expect
      .poll(() => page.locator('.ant-popconfirm:visible').textContent())
      .toContain('cannot be undone')
    await confirm(page, 'Erase for good')
    await expect.poll(() => page.getByTestId('field-restore-legacy_code').count()).toBe(0)
    expect((await fieldsOf(member, 'partners.partner')).map((f) => f.key)).toEqual(['referral_source'])
    const stored = await apiAs<{ custom: Record<string, unknown> }>(
      world,
      member,
      'GET',
      `/partners/${acme.id}`,
    )
    expect(stored.custom).toEqual({ referral_source: 'trade fair' })
    await context.close()
  })

  it("edits a custom entity's names and board; deleting it is refused while it has records", async () => {
    const member = await signUpByApi(world)
    await apiAs(world, member, 'POST', '/meta/entities', {
      name: 'ticket',
      label: 'Ticket',
      plural_label: 'Tickets',
      display_field: 'title',
      fields: [
        { key: 'title', type: 'text', label: 'Title', required: true },
        { key: 'stage', type: 'select', label: 'Stage', options: ['todo', 'doing'] },
        { key: 'priority', type: 'select', label: 'Priority', options: ['low', 'high'] },
      ],
      layout: { kanban: 'stage' },
    })
    await apiAs(world, member, 'POST', '/meta/entities', {
      name: 'note',
      label: 'Note',
      plural_label: 'Notes',
      fields: [{ key: 'text', type: 'text', label: 'Text' }],
    })
    await apiAs(world, member, 'POST', '/custom/tickets', {
      title: 'Fix the printer',
      stage: 'todo',
      priority: 'high',
    })
    const { context, page } = await newPage(world)
    await signIn(page, member)
    await openEditor(page, 'custom.ticket')
    await page.getByTestId('entity-settings-label').fill('Issue')
    await page.getByTestId('entity-settings-plural').fill('Issues')
    await choose(page, 'Board groups by', 'Priority')
    await page.getByTestId('entity-settings-save').click()
    await page.getByText('Settings of Issues').waitFor()

    await page.goto('/e/custom.ticket?view=kanban')
    await page.getByRole('heading', { level: 1, name: 'Issues' }).waitFor()
    await page.getByTestId('kanban-column-high').getByTestId('kanban-card').waitFor()
    expect(await page.getByTestId('kanban-column-todo').count()).toBe(0)

    await openEditor(page, 'custom.ticket')
    await page.getByTestId('entity-delete').click()
    await confirm(page, 'Delete')
    await expect.poll(() => page.getByTestId('entity-settings-error').textContent()).toContain('has records')

    // deleting a record only archives it, and archived records still count: an entity without any
    await openEditor(page, 'custom.note')
    await page.getByTestId('entity-delete').click()
    await confirm(page, 'Delete')
    await page.getByText('Notes deleted').waitFor()
    await expect.poll(() => page.getByText('Settings of Notes').count()).toBe(0)
    const entities = await apiAs<{ data: { key: string }[] }>(world, member, 'GET', '/meta/entities')
    expect(entities.data.map((e) => e.key)).toEqual(['custom.ticket'])
    await context.close()
  })

  it('fits a phone: the editor and its field dialog', async () => {
    const member = await signUpByApi(world)
    await apiAs(world, member, 'POST', '/meta/entities', {
      name: 'visit',
      label: 'Visit',
      plural_label: 'Visits',
      display_field: 'place',
      fields: [
        { key: 'place', type: 'text', label: 'Place', required: true },
        { key: 'outcome', type: 'select', label: 'Outcome', options: ['won', 'lost'] },
        { key: 'duration_minutes', type: 'integer', label: 'Duration (minutes)' },
        { key: 'old_notes', type: 'long_text', label: 'Old notes' },
      ],
    })
    await apiAs(world, member, 'DELETE', '/meta/entities/custom.visit/fields/old_notes')
    const { context, page } = await newPage(world, PHONE)
    await signIn(page, member)
    await openEditor(page, 'custom.visit')
    await page.getByTestId('show-removed').click()
    await page.getByTestId('field-purge-old_notes').waitFor()
    await page.getByTestId('entity-settings-save').waitFor()
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width)
    expect(await axeViolations(page)).toEqual([])
    await shot(page, 'phone-custom-editor')

    await page.getByTestId('field-edit-duration_minutes').click()
    await page.getByTestId('field-edit-min').waitFor()
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width)
    expect(await axeViolations(page)).toEqual([])
    await shot(page, 'phone-custom-field-edit')
    await context.close()
  })
})
