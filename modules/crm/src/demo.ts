import {
  createRecord,
  demoEntityContext,
  type EntityContext,
  type JsonRecord,
  type ModuleSeedContext,
  runAction,
  saveExchangeRate,
  today,
  updateRecord,
} from '@tessera/kernel'
import { partnerEntity, tagEntity } from '@tessera/partners'
import { activityEntity } from './entities/activity.ts'
import { LEAD_SOURCES, opportunityEntity } from './entities/opportunity.ts'
import { allRecords, modelOf } from './services/records.ts'
import { listStages } from './services/stages.ts'
import { crmTx } from './tables.ts'

const DEALS = [
  'Fleet management platform',
  'Annual support renewal',
  'Warehouse scanners',
  'Cloud migration',
  'Training programme',
  'Office fit-out',
  'Data analytics pilot',
  'Security audit',
]
const AMOUNTS = ['4800.00', '12500.00', '36000.00', '7200.00', '58000.00', '2300.00', '19900.00', '91000.00']

// notes a salesperson writes, with what the customer memory should pick up
const NOTES = [
  'Call with {first}. They review budgets in October; {first} prefers email for follow-ups. We will send a revised quote by Friday.',
  "Met {first} at their office. {first}'s son graduates in June, so {first} will be away the second week. Interested in premium support.",
  '{first} mentioned a vacation next month. Agreed to schedule a demo with the IT team on Tuesday.',
  'Sent the proposal to {first}. {first} likes the onboarding plan but dislikes long contracts.',
  '{first} loves cycling and asked about our sustainability report. I will share it tomorrow.',
  'Budget confirmed by {first}. Decision expected at the board meeting on 15 March.',
  '{first} is unhappy with the current vendor and wants a start before summer. We promised a pilot plan within two weeks.',
  'Left a voicemail for {first}. Their anniversary party is on Saturday, call again on Monday.',
]
const ACTIVITIES = [
  ['call', 'Discovery call'],
  ['meeting', 'On-site meeting'],
  ['email', 'Follow-up email'],
  ['task', 'Prepare pricing'],
  ['note', 'Account note'],
] as const

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10)
const fill = (text: string, first: string) => text.replaceAll('{first}', first)

/**
 * The demo tenant's pipeline: exchange rates, forty leads and opportunities across the stages
 * (some won, some lost, a few in USD or GBP), and a hundred activities with notes, spread over the
 * last weeks so timelines, confidence, focus and memory have something to show.
 */
export async function demoCrm(seed: ModuleSeedContext): Promise<void> {
  const ctx = await demoEntityContext(seed)
  const by = { tenantId: seed.tenantId, userId: seed.userId }
  await saveExchangeRate(ctx.db, by, { base: 'USD', quote: 'EUR', rate: '0.92', valid_on: day(-30) })
  await saveExchangeRate(ctx.db, by, { base: 'GBP', quote: 'EUR', rate: '1.17', valid_on: day(-30) })
  const partners = await allRecords(ctx, partnerEntity.key, {})
  const organizations = partners.filter((p) => p.kind === 'organization')
  const tags = await allRecords(ctx, tagEntity.key, {})
  const stages = await listStages(ctx.db)
  const stage = (name: string) => stages.find((s) => s.name === name)?.id
  const deals = await modelOf(ctx, opportunityEntity.key)
  const activities = await modelOf(ctx, activityEntity.key)
  const plan = [
    'New',
    'New',
    'Qualified',
    'Qualified',
    'Proposal',
    'Proposal',
    'Negotiation',
    'won',
    'lost',
    'Qualified',
  ]
  let made = 0
  for (let i = 0; i < 40; i++) {
    const org = organizations[i % organizations.length] as JsonRecord
    const person = partners.find((p) => p.organization === org.id) ?? null
    const first = String(person?.name ?? 'the buyer').split(' ')[0] as string
    const step = plan[i % plan.length] as string
    const lead = step === 'New' && i % 4 === 0
    const currency = i % 7 === 3 ? 'USD' : i % 11 === 5 ? 'GBP' : 'EUR'
    const deal = await createRecord(ctx, deals, {
      type: lead ? 'lead' : 'opportunity',
      name: `${DEALS[i % DEALS.length]} – ${String(org.name)}`,
      ...(lead
        ? { company_name: `${String(org.name)} (new site)`, contact_name: String(person?.name ?? 'Unknown') }
        : { organization: org.id, contact: person?.id ?? null }),
      source: LEAD_SOURCES[i % LEAD_SOURCES.length],
      expected_revenue: { amount: AMOUNTS[i % AMOUNTS.length], currency },
      expected_close_date: day(((i * 7) % 70) - 12),
      owner: seed.userId,
      stage: stage(step === 'won' || step === 'lost' ? 'Negotiation' : step),
      tags: i % 5 === 0 && tags[0] ? [tags[0].id] : [],
      description: fill(NOTES[i % NOTES.length] as string, first),
    })
    const id = deal.id as string
    const count = made < 100 ? Math.min(3, 100 - made) - (i % 3 === 2 ? 1 : 0) : 0
    for (let k = 0; k < count && made < 100; k++, made++) {
      const [type, subject] = ACTIVITIES[(i + k) % ACTIVITIES.length] as readonly [string, string]
      const proposal = k === 0 && (step === 'Proposal' || step === 'Negotiation')
      const due = ((i + k * 5) % 20) - 8
      await createRecord(ctx, activities, {
        type: proposal ? 'email' : type,
        subject: proposal ? 'Proposal sent' : subject,
        note: fill(NOTES[(i + k) % NOTES.length] as string, first),
        opportunity: id,
        ...(person ? { partner: person.id } : {}),
        assignee: seed.userId,
        due_date: day(due),
        done: proposal || due < -3,
        is_proposal: proposal,
        opens: proposal ? i % 5 : 0,
      })
    }
    if (step === 'won') await runAction(ctx, deals, id, 'win')
    if (step === 'lost') {
      await updateRecord(ctx, deals, id, {
        lost_reason: i % 2 ? 'Chose a cheaper competitor' : 'Project postponed',
      })
      await runAction(ctx, deals, id, 'lose')
    }
  }
  await spreadOverPastWeeks(ctx)
}

/** Demo activities all written now would look idle-free: date them over the last six weeks. */
async function spreadOverPastWeeks(ctx: EntityContext): Promise<void> {
  const rows = await crmTx(ctx.db).selectFrom('crm_activities').select('id').orderBy('id').execute()
  for (const [i, row] of rows.entries()) {
    const at = new Date(`${today()}T09:00:00Z`)
    at.setUTCDate(at.getUTCDate() - ((i * 3) % 42))
    await crmTx(ctx.db)
      .updateTable('crm_activities')
      .set({ created_at: at, updated_at: at })
      .where('id', '=', row.id)
      .execute()
  }
}
