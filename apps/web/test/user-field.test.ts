import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiAs, newPage, signIn, signUpByApi, skippedOnServerRun, startWorld, type World } from './harness.ts'
import { addMember } from './members.ts'

let world: World

describe.skipIf(skippedOnServerRun('user-field.test.ts'))('web app: a user field', () => {
  beforeAll(async () => {
    world = await startWorld()
  })
  afterAll(async () => {
    await world?.close()
  })

  it('picks a colleague by name, saves the id and lists the name, never the id', async () => {
    const owner = await signUpByApi(world)
    const colleague = await addMember(world, owner, ['user'])
    const members = await apiAs<{ data: { user_id: string; name: string }[] }>(
      world,
      owner,
      'GET',
      '/members',
    )
    const colleagueId = members.data.find((m) => m.name === colleague.name)?.user_id as string
    await apiAs(world, owner, 'POST', '/meta/entities', {
      name: 'visit',
      label: 'Visit',
      plural_label: 'Visits',
      fields: [
        { key: 'title', type: 'text', label: 'Title', required: true },
        { key: 'host', type: 'user', label: 'Host' },
      ],
    })
    const { context, page } = await newPage(world)
    await signIn(page, owner)

    await page.goto('/e/custom.visit/new')
    await page.getByLabel('Title').fill('Plant tour')
    const host = page.getByLabel('Host')
    await host.click()
    // searching by name narrows the members offered to the colleague
    await host.fill(colleague.name)
    const options = page.locator('.ant-select-dropdown:visible .ant-select-item-option')
    await expect.poll(() => options.allTextContents()).toEqual([colleague.name])
    await options.filter({ hasText: colleague.name }).click()
    await page.getByTestId('save').click()
    await page.getByTestId('form-title').filter({ hasText: 'Plant tour' }).waitFor()

    const stored = await apiAs<{ data: { title: string; host: string }[] }>(
      world,
      owner,
      'GET',
      '/custom/visits',
    )
    expect(stored.data.map((r) => [r.title, r.host])).toEqual([['Plant tour', colleagueId]])

    await page.goto('/e/custom.visit')
    await page.getByRole('cell', { name: colleague.name, exact: true }).waitFor()
    expect(await page.getByText(colleagueId).count()).toBe(0)
    expect(await page.getByText(colleagueId.slice(0, 8)).count()).toBe(0)
    await context.close()
  })
})
