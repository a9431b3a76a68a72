import { createDispatcher } from '@tessera/kernel'
import { installedModules } from '@tessera/server'
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

let world: World

/** Delivers the outbox to the subscribers now, as the server's worker would (deal confidence). */
const deliverEvents = () => createDispatcher({ db: world.t.database.db, modules: installedModules }).runOnce()
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10)

interface Created {
  id: string
}

/**
 * A tenant with contacts and CRM on: the customer Initech and its Bill, three deals owned by the
 * member (one with an overdue call, one large with nothing planned, one without an amount).
 */
async function crmTenant() {
  const member = await signUpByApi(world)
  for (const name of ['partners', 'crm'])
    await apiAs(world, member, 'PATCH', `/modules/${name}`, { active: true })
  const stages = await apiAs<{ data: { id: string; name: string }[] }>(
    world,
    member,
    'GET',
    '/crm-stages?limit=50',
  )
  const stage = Object.fromEntries(stages.data.map((s) => [s.name, s.id])) as Record<string, string>
  const post = (path: string, body: unknown) => apiAs<Created>(world, member, 'POST', path, body)
  const initech = await post('/partners', {
    kind: 'organization',
    name: 'Initech',
    email: 'hello@initech.example.com',
  })
  const bill = await post('/partners', { kind: 'person', name: 'Bill Lumbergh', organization: initech.id })
  const deal = { type: 'opportunity', organization: initech.id, contact: bill.id, owner: member.userId }
  const tps = await post('/opportunities', {
    ...deal,
    name: 'TPS reports',
    stage: stage.Qualified,
    expected_revenue: { amount: '12000.00', currency: 'EUR' },
    expected_close_date: inDays(30),
  })
  const website = await post('/opportunities', {
    ...deal,
    name: 'Website redesign',
    stage: stage.New,
    expected_revenue: { amount: '20000.00', currency: 'EUR' },
  })
  const stapler = await post('/opportunities', { ...deal, name: 'Red stapler', stage: stage.New })
  await post('/crm-activities', {
    type: 'call',
    subject: 'Call Bill about the cover sheets',
    due_date: inDays(-2),
    assignee: member.userId,
    opportunity: tps.id,
  })
  await deliverEvents()
  return { member, stage, initech, tps, website, stapler }
}

/**
 * No critical axe violation anywhere; on the CRM's own pages (`strict`) no serious one either
 * (a deal's page also holds the shared record form, whose parts answer for themselves).
 */
async function expectAccessible(page: Page, strict = true) {
  expect(await axeViolations(page)).toEqual([])
  if (strict) expect(await axeViolations(page, 'serious')).toEqual([])
}

describe.skipIf(skippedOnServerRun('crm.test.ts'))('web app: the CRM', () => {
  let member: Member
  let data: Awaited<ReturnType<typeof crmTenant>>
  beforeAll(async () => {
    world = await startWorld()
    data = await crmTenant()
    member = data.member
  })
  afterAll(async () => {
    await world?.close()
  })

  it('runs the day from the focus page: a mission done, a deal opened, a meeting logged, confidence and memory updated', async () => {
    const { context, page } = await newPage(world)
    await signIn(page, member)
    // the CRM menu's first entry is the focus page
    await page.getByRole('menuitem', { name: 'CRM' }).click()
    await page.getByRole('menuitem', { name: 'My day' }).click()
    await page.waitForURL(/\/crm\/focus$/)
    const mission = (title: string) => page.getByTestId('focus-mission').filter({ hasText: title })
    await mission('Call: Call Bill about the cover sheets').getByText('2 days overdue').waitFor()
    await mission('Plan the next step for Website redesign')
      .getByText('among your largest open deals')
      .waitFor()
    await shot(page, 'desktop-crm-focus')
    await expectAccessible(page)

    // one click does the mission, which leaves the list
    await mission('Call: Call Bill').getByRole('button', { name: 'Mark done' }).click()
    await mission('Call: Call Bill').waitFor({ state: 'detached' })

    await mission('Website redesign').getByRole('link', { name: 'Website redesign' }).click()
    await page.getByTestId('form-title').filter({ hasText: 'Website redesign' }).waitFor()
    const score = page.getByTestId('crm-confidence-score')
    const reasons = page.getByTestId('crm-confidence-reason')
    await reasons.filter({ hasText: 'In the stage "New"' }).getByText('+10').waitFor()
    const before = Number(await score.textContent())

    await choose(page, 'Activity type', 'Meeting')
    await page.getByTestId('activity-subject').fill('Budget review with Bill')
    await page.getByTestId('activity-due').fill(inDays(3))
    await page
      .getByTestId('activity-note')
      .fill('Bill Lumbergh wants the mock-ups first. His daughter is getting married in June.')
    await page.getByTestId('activity-log').click()
    await page.getByTestId('crm-activity').filter({ hasText: 'Budget review with Bill' }).waitFor()
    await deliverEvents()
    await reasons
      .filter({ hasText: `Meeting scheduled on ${inDays(3)}` })
      .getByText('+15')
      .waitFor()
    await expect.poll(async () => Number(await score.textContent())).toBeGreaterThan(before)
    await page.getByTestId('crm-memory-summary').filter({ hasText: 'Last time (meeting on' }).waitFor()
    await page.getByTestId('crm-memory-summary').filter({ hasText: 'married in June' }).waitFor()
    await page
      .getByTestId('crm-timeline-entry')
      .filter({ hasText: 'Meeting: Budget review with Bill' })
      .waitFor()
    await shot(page, 'desktop-crm-opportunity')
    await expectAccessible(page, false)

    // a next step is planned now: the deal is no longer a mission
    await page.goto('/crm')
    await page.waitForURL(/\/crm\/focus$/)
    await page.getByRole('heading', { name: 'Your focus today' }).waitFor()
    await expect.poll(() => mission('Website redesign').count()).toBe(0)
    await context.close()
  })

  it('moves deals on the kanban; a move the stage refuses shows why and the card returns', async () => {
    const { context, page } = await newPage(world)
    await signIn(page, member)
    await page.goto('/crm/pipeline')
    const column = (name: string) => page.getByTestId(`pipeline-column-${name}`)
    const card = (name: string) => page.getByTestId('pipeline-card').filter({ hasText: name })
    await column('New').getByTestId('pipeline-card').filter({ hasText: 'Red stapler' }).waitFor()
    await expect.poll(() => column('New').getByTestId('pipeline-total').textContent()).toContain('20,000.00')

    // Proposal requires the expected revenue, which the stapler deal lacks
    await card('Red stapler').dragTo(column('Proposal'))
    await page.getByTestId('pipeline-error').filter({ hasText: 'expected_revenue' }).waitFor()
    await column('New').getByTestId('pipeline-card').filter({ hasText: 'Red stapler' }).waitFor()
    expect(
      await column('Proposal').getByTestId('pipeline-card').filter({ hasText: 'Red stapler' }).count(),
    ).toBe(0)

    await card('TPS reports').dragTo(column('Proposal'))
    await column('Proposal').getByTestId('pipeline-card').filter({ hasText: 'TPS reports' }).waitFor()
    await expect
      .poll(() => column('Proposal').getByTestId('pipeline-total').textContent())
      .toContain('12,000.00')
    const moved = await apiAs<{ stage: string }>(world, member, 'GET', `/opportunities/${data.tps.id}`)
    expect(moved.stage).toBe(data.stage.Proposal)
    await shot(page, 'desktop-crm-pipeline')
    await expectAccessible(page)

    // the lost column asks why first: the lose action needs the reason (moved by the card's menu:
    // the column is off screen, and a drag that scrolls the board is the browser's business)
    await page.getByRole('button', { name: 'Red stapler: Move to a stage' }).click()
    await page.getByRole('menuitem', { name: 'Lost' }).click()
    await page.getByTestId('lost-reason').fill('Bought a Swingline instead')
    await page.getByRole('dialog').getByRole('button', { name: 'OK' }).click()
    await column('Lost').getByTestId('pipeline-card').filter({ hasText: 'Red stapler' }).waitFor()
    const lost = await apiAs<{ state: string; lost_reason: string }>(
      world,
      member,
      'GET',
      `/opportunities/${data.stapler.id}`,
    )
    expect(lost).toMatchObject({ state: 'lost', lost_reason: 'Bought a Swingline instead' })

    // an amount with no rate to the company currency is not added, it is listed apart
    await apiAs(world, member, 'POST', '/opportunities', {
      type: 'opportunity',
      name: 'Swingline order',
      stage: data.stage.Qualified,
      expected_revenue: { amount: '500.00', currency: 'USD' },
      owner: member.userId,
    })
    const tag = await apiAs<Created>(world, member, 'POST', '/partner-tags', { name: 'enterprise' })
    await apiAs(world, member, 'PATCH', `/opportunities/${data.website.id}`, { tags: [tag.id] })
    await page.reload()
    await column('Qualified').getByTestId('pipeline-unconverted').filter({ hasText: '$500.00' }).waitFor()
    await expect
      .poll(() => column('Qualified').getByTestId('pipeline-total').textContent())
      .toContain('€0.00')

    // filtered by tag: only the tagged deal is left on the board
    await choose(page, /^Tag$/, 'enterprise')
    await page.waitForURL(/tag=/)
    await expect.poll(() => page.getByTestId('pipeline-card').count()).toBe(1)
    await card('Website redesign').waitFor()
    await context.close()
  })

  it('shows the 360-degree view of a customer with its memory', async () => {
    const { context, page } = await newPage(world)
    await signIn(page, member)
    await page.goto(`/crm/partners/${data.initech.id}`)
    await page.getByTestId('partner-name').filter({ hasText: 'Initech' }).waitFor()
    await page.getByTestId('partner-profile').getByText('hello@initech.example.com').waitFor()
    const deals = page.getByTestId('partner-opportunities')
    for (const name of ['TPS reports', 'Website redesign', 'Red stapler'])
      await deals.getByRole('link', { name }).waitFor()
    await page.getByTestId('partner-contacts').getByRole('link', { name: 'Bill Lumbergh' }).waitFor()
    await page.getByTestId('crm-memory-summary').filter({ hasText: 'Last time (meeting on' }).waitFor()
    await page.getByTestId('crm-activity').filter({ hasText: 'Budget review with Bill' }).waitFor()
    await page.getByTestId('crm-timeline-entry').first().waitFor()
    await shot(page, 'desktop-crm-partner')
    await expectAccessible(page)

    // the person's own page leads back to the organisation
    await page.getByTestId('partner-contacts').getByRole('link', { name: 'Bill Lumbergh' }).click()
    await page.getByTestId('partner-name').filter({ hasText: 'Bill Lumbergh' }).waitFor()
    await page.getByTestId('partner-profile').getByRole('link', { name: 'Initech' }).waitFor()
    await context.close()
  })

  it('converts a lead into an opportunity and tunes the confidence weights', async () => {
    const lead = await apiAs<Created>(world, member, 'POST', '/opportunities', {
      name: 'Printer fleet',
      company_name: 'Chotchkies',
      contact_name: 'Stan',
    })
    const { context, page } = await newPage(world)
    await signIn(page, member)
    await page.goto(`/e/crm.opportunity/${lead.id}`)
    await page.getByTestId('lead-banner').waitFor()
    await page.getByTestId('lead-convert').click()
    await page.getByTestId('lead-banner').waitFor({ state: 'detached' })
    const converted = await apiAs<{ type: string; stage: string; organization: string }>(
      world,
      member,
      'GET',
      `/opportunities/${lead.id}`,
    )
    expect(converted).toMatchObject({ type: 'opportunity', stage: data.stage.New })

    await page.goto('/crm/settings')
    const meeting = page.getByLabel('A meeting is scheduled')
    await meeting.fill('99')
    await page.getByTestId('weights-save').click()
    await page.getByText('meeting_scheduled must be an integer from 0 to 50.').waitFor()
    await meeting.fill('20')
    await page.getByTestId('weights-save').click()
    await page.getByText('Weights saved').waitFor()
    const weights = await apiAs<{ meeting_scheduled: number }>(
      world,
      member,
      'GET',
      '/crm/confidence-weights',
    )
    expect(weights.meeting_scheduled).toBe(20)
    await expectAccessible(page)
    await context.close()
  })

  it('works at phone size: focus, the kanban by the card menu, a deal and a customer', async () => {
    const { context, page } = await newPage(world, PHONE)
    await signIn(page, member)
    await page.goto('/crm/focus')
    await page.getByRole('heading', { name: 'Your focus today' }).waitFor()
    await page.getByTestId('focus-mission').first().waitFor()
    await shot(page, 'phone-crm-focus')
    await expectAccessible(page)

    await page.goto('/crm/pipeline')
    const column = (name: string) => page.getByTestId(`pipeline-column-${name}`)
    await page.getByRole('button', { name: 'TPS reports: Move to a stage' }).click()
    await page.getByRole('menuitem', { name: 'Negotiation' }).click()
    await column('Negotiation').getByTestId('pipeline-card').filter({ hasText: 'TPS reports' }).waitFor()
    await deliverEvents()
    await shot(page, 'phone-crm-pipeline')
    await expectAccessible(page)

    await column('Negotiation').getByRole('link', { name: 'TPS reports' }).click()
    await page.getByTestId('form-title').filter({ hasText: 'TPS reports' }).waitFor()
    await page
      .getByTestId('crm-confidence-reason')
      .filter({ hasText: 'In the stage "Negotiation"' })
      .waitFor()
    await shot(page, 'phone-crm-opportunity')
    await expectAccessible(page, false)

    await page.goto(`/crm/partners/${data.initech.id}`)
    await page.getByTestId('crm-memory-summary').waitFor()
    await page.getByTestId('crm-activity').first().waitFor()
    await page.getByTestId('crm-timeline-entry').first().waitFor()
    await shot(page, 'phone-crm-partner')
    await expectAccessible(page)
    await context.close()
  })
})
