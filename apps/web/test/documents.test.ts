import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { catalogModule } from '../../server/test/fixtures/modules/catalog.ts'
import {
  apiAs,
  choose,
  type Member,
  newPage,
  shot,
  signIn,
  signUpByApi,
  skippedOnServerRun,
  startWorld,
  type World,
} from './harness.ts'

let world: World

interface Order {
  id: string
  state: string
  company_id: string
  lines: { id: string; item: string; quantity: string }[]
}

/** A tenant with the entity engine's test module (items; orders with lines, company-scoped) on. */
async function catalogTenant(): Promise<{ member: Member; items: Record<string, string> }> {
  const member = await signUpByApi(world)
  await apiAs(world, member, 'PATCH', '/modules/catalog', { active: true })
  const items: Record<string, string> = {}
  for (const name of ['Anvil', 'Bird seed', 'Rocket skates'])
    items[name] = (
      await apiAs<{ id: string }>(world, member, 'POST', '/catalog-items', { name, kind: 'good' })
    ).id
  return { member, items }
}

const getOrder = (member: Member, id: string) =>
  apiAs<Order>(world, member, 'GET', `/catalog-orders/${id}?include=lines`)

describe.skipIf(skippedOnServerRun('documents.test.ts'))('web app: documents with lines', () => {
  beforeAll(async () => {
    world = await startWorld({ modules: [catalogModule] })
  })
  afterAll(async () => {
    await world?.close()
  })

  it('creates an order with lines picked by search, then edits and removes a line', async () => {
    const { member, items } = await catalogTenant()
    const { context, page } = await newPage(world)
    await signIn(page, member)
    await page.goto('/e/catalog.order/new')
    await page.getByLabel('Customer', { exact: true }).fill('Wile E. Coyote')
    await page.getByLabel('Ordered on', { exact: true }).fill('2026-05-04')
    for (const [index, [search, item, quantity]] of [
      ['anv', 'Anvil', '2'],
      ['rock', 'Rocket skates', '0.5'],
    ].entries()) {
      const n = index + 1
      await page.getByRole('button', { name: 'Add a line' }).click()
      // search-as-you-type: only what matches the typed text is offered
      await page.getByLabel(`Item ${n}`, { exact: true }).fill(search as string)
      const option = page.locator('.ant-select-dropdown:visible .ant-select-item-option')
      await expect.poll(() => option.count()).toBe(1)
      await option.filter({ hasText: item as string }).click()
      await page.getByLabel(`Quantity ${n}`, { exact: true }).fill(quantity as string)
    }
    await shot(page, 'desktop-order-lines')
    await page.getByTestId('save').click()
    await page.waitForURL(/\/e\/catalog\.order\/[0-9a-f-]{36}$/)
    const id = page.url().split('/').at(-1) as string
    const created = await getOrder(member, id)
    expect(created.lines.map((l) => [l.item, l.quantity])).toEqual([
      [items.Anvil, '2.000'],
      [items['Rocket skates'], '0.500'],
    ])

    // the saved lines come back into the grid; change one, remove the other. The router swaps the
    // page in a transition, so the new URL shows before the saved record's form does.
    await expect.poll(() => page.getByTestId('form-title').textContent()).not.toMatch(/^New /)
    await expect.poll(() => page.getByLabel('Quantity 1', { exact: true }).inputValue()).toMatch(/^2(\.0+)?$/)
    await page.getByLabel('Quantity 1', { exact: true }).fill('3')
    await page.getByRole('button', { name: 'Remove 2' }).click()
    await page.getByTestId('save').click()
    await expect
      .poll(async () => (await getOrder(member, id)).lines.map((l) => [l.id, l.quantity]))
      .toEqual([[created.lines[0]?.id, '3.000']])
    await context.close()
  })

  it('deletes the selected drafts and names the one the server refuses', async () => {
    const { member, items } = await catalogTenant()
    const order = (customer: string) =>
      apiAs<Order>(world, member, 'POST', '/catalog-orders', {
        customer,
        ordered_on: '2026-05-04',
        lines: [{ item: items.Anvil, quantity: '1' }],
      })
    const a = await order('Acme')
    await order('Globex')
    const c = await order('Initech')
    await apiAs(world, member, 'POST', `/catalog-orders/${c.id}/actions/submit`)
    const { context, page } = await newPage(world)
    await signIn(page, member)
    await page.goto('/e/catalog.order')
    await expect.poll(() => page.getByTestId('record-count').textContent()).toContain('3 records')
    await page.getByRole('checkbox', { name: '3 selected' }).check()
    await expect.poll(() => page.getByTestId('record-count').textContent()).toContain('3 selected')
    await page.getByRole('button', { name: 'Delete' }).click()
    await page.locator('.ant-popconfirm').getByRole('button', { name: 'OK' }).click()
    await page.getByText('2 deleted').waitFor()
    await page.locator('.ant-message-error').waitFor()
    // the submitted order stays, still selected, for the member to see why
    await expect.poll(() => page.getByTestId('record-count').textContent()).toContain('1 records')
    expect(await page.getByTestId('record-count').textContent()).toContain('1 selected')
    const left = await apiAs<{ data: { id: string; customer: string }[] }>(
      world,
      member,
      'GET',
      '/catalog-orders',
    )
    expect(left.data.map((o) => o.customer)).toEqual(['Initech'])
    expect(left.data.some((o) => o.id === a.id)).toBe(false)
    await context.close()
  })

  it('switches the current company from the header; new documents go to it', async () => {
    const { member, items } = await catalogTenant()
    const second = await apiAs<{ id: string }>(world, member, 'POST', '/companies', {
      name: 'Acme Europe',
      currency: 'EUR',
      country: 'FR',
    })
    const { context, page } = await newPage(world)
    await signIn(page, member)
    await choose(page, 'Company', 'Acme Europe')
    await expect
      .poll(
        async () =>
          (await apiAs<{ current_company_id: string }>(world, member, 'GET', '/members/me'))
            .current_company_id,
      )
      .toBe(second.id)
    await shot(page, 'desktop-company-switcher')

    await page.goto('/e/catalog.order/new')
    await page.getByLabel('Customer', { exact: true }).fill('Road Runner')
    await page.getByLabel('Ordered on', { exact: true }).fill('2026-06-01')
    await page.getByRole('button', { name: 'Add a line' }).click()
    await page.getByLabel('Item 1', { exact: true }).fill('seed')
    await page
      .locator('.ant-select-dropdown:visible .ant-select-item-option')
      .filter({ hasText: 'Bird seed' })
      .click()
    await page.getByLabel('Quantity 1', { exact: true }).fill('10')
    await page.getByTestId('save').click()
    await page.waitForURL(/\/e\/catalog\.order\/[0-9a-f-]{36}$/)
    const id = page.url().split('/').at(-1) as string
    const created = await getOrder(member, id)
    expect(created.company_id).toBe(second.id)
    expect(created.lines.map((l) => l.item)).toEqual([items['Bird seed']])
    await context.close()
  })
})
