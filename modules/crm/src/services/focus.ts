import { createConverter, type EntityContext, type JsonRecord, type Money, today } from '@tessera/kernel'
import Decimal from 'decimal.js'
import { activityEntity } from '../entities/activity.ts'
import { opportunityEntity } from '../entities/opportunity.ts'
import { companyCurrency } from './company-currency.ts'
import { latestScores } from './confidence-store.ts'
import { allRecords, literal } from './records.ts'

/** A thing to do today, why it is listed, and the one request that does it. */
export interface Mission {
  kind: 'overdue_activity' | 'no_next_step' | 'proposal_follow_up' | 'confidence_dropped'
  /** higher first; comparable across kinds */
  priority: number
  title: string
  why: string
  record: { entity: string; id: string; name: string }
  action: { label: string; method: 'POST' | 'PATCH'; href: string; body: Record<string, unknown> }
}

/** Days after a proposal with no reply before it needs a follow-up. */
const PROPOSAL_WAIT_DAYS = 3
const DAY = 86_400_000

const daysSince = (at: string, on: string) => Math.floor((Date.parse(on) - Date.parse(at.slice(0, 10))) / DAY)

/**
 * The member's missions for today, ranked: their overdue activities (the longer overdue, the
 * higher), their valuable open deals with no next step planned, proposals sent days ago with
 * nothing since, and deals whose confidence dropped. Each carries a ready request, e.g. marking
 * the activity done or planning a follow-up assigned to them for today.
 */
export async function dailyFocus(ctx: EntityContext) {
  const me = ctx.actor.userId
  const on = today()
  const missions: Mission[] = []
  const newActivity = (body: Record<string, unknown>) =>
    ({
      method: 'POST',
      href: '/api/v1/crm-activities',
      body: { assignee: me, due_date: on, ...body },
    }) as const

  const overdue = await allRecords(ctx, activityEntity.key, {
    filter: `assignee = ${literal(me)} and done = false and due_date < ${literal(on)}`,
  })
  for (const a of overdue) {
    const late = daysSince(a.due_date as string, on)
    missions.push({
      kind: 'overdue_activity',
      priority: 100 + Math.min(late, 50),
      title: `${capitalise(String(a.type))}: ${String(a.subject)}`,
      why: `Due ${String(a.due_date)}, ${late} day${late === 1 ? '' : 's'} overdue.`,
      record: { entity: activityEntity.key, id: a.id as string, name: String(a.subject) },
      action: {
        label: 'Mark done',
        method: 'PATCH',
        href: `/api/v1/crm-activities/${a.id}`,
        body: { done: true },
      },
    })
  }

  const deals = await allRecords(ctx, opportunityEntity.key, {
    filter: `owner = ${literal(me)} and state = 'open' and type = 'opportunity'`,
  })
  if (deals.length === 0) return { date: on, missions: rank(missions) }
  const ids = deals.map((d) => d.id as string)
  const activities = await allRecords(ctx, activityEntity.key, {
    filter: ids.map((id) => `opportunity = ${literal(id)}`).join(' or '),
    sort: '-created_at',
  })
  const byDeal = new Map<string, JsonRecord[]>()
  for (const a of activities)
    byDeal.set(a.opportunity as string, [...(byDeal.get(a.opportunity as string) ?? []), a])

  const currency = await companyCurrency(ctx)
  const convert = await createConverter(ctx.db, currency)
  const values = new Map<string, Decimal>()
  for (const d of deals) {
    const converted = d.expected_revenue ? await convert(d.expected_revenue as Money) : undefined
    values.set(d.id as string, new Decimal(converted?.amount ?? 0))
  }
  const sorted = [...values.values()].sort((a, b) => a.comparedTo(b))
  const median = sorted[Math.floor(sorted.length / 2)] ?? new Decimal(0)
  for (const d of deals) {
    const id = d.id as string
    const name = String(d.name)
    const record = { entity: opportunityEntity.key, id, name }
    const own = byDeal.get(id) ?? []
    const value = values.get(id) ?? new Decimal(0)
    if (!own.some((a) => a.done !== true) && value.gt(0) && value.gte(median))
      missions.push({
        kind: 'no_next_step',
        priority: 60 + Math.min(30, Math.round(value.div(median.gt(0) ? median : 1).toNumber() * 5)),
        title: `Plan the next step for ${name}`,
        why: `Worth ${value.toFixed(2)} ${currency}, among your largest open deals, with nothing planned.`,
        record,
        action: {
          label: 'Plan a follow-up',
          ...newActivity({ type: 'task', subject: `Next step for ${name}`, opportunity: id }),
        },
      })
    const proposal = own.find((a) => a.is_proposal === true && a.done === true)
    if (proposal) {
      const waited = daysSince(proposal.updated_at as string, on)
      const since = own.filter((a) => (a.created_at as string) > (proposal.updated_at as string))
      if (waited >= PROPOSAL_WAIT_DAYS && since.length === 0)
        missions.push({
          kind: 'proposal_follow_up',
          priority: 70 + Math.min(waited, 20),
          title: `Follow up on the proposal for ${name}`,
          why: `Proposal sent ${waited} days ago (opened ${String(proposal.opens)} times), nothing since.`,
          record,
          action: {
            label: 'Call about the proposal',
            ...newActivity({ type: 'call', subject: `Proposal follow-up: ${name}`, opportunity: id }),
          },
        })
    }
  }
  const scores = await latestScores(ctx.db, ids)
  for (const d of deals) {
    const score = scores.get(d.id as string)
    if (!score || score.previous_score === null || score.score >= score.previous_score) continue
    const drop = score.previous_score - score.score
    const name = String(d.name)
    const negative = score.signals.filter((s) => s.amount < 0).map((s) => s.reason)
    missions.push({
      kind: 'confidence_dropped',
      priority: 50 + Math.min(drop, 40),
      title: `Confidence in ${name} fell to ${score.score}`,
      why: `From ${score.previous_score} to ${score.score}${negative.length ? `: ${negative.join('; ')}` : ''}.`,
      record: { entity: opportunityEntity.key, id: d.id as string, name },
      action: {
        label: 'Check in',
        ...newActivity({ type: 'call', subject: `Check in: ${name}`, opportunity: d.id }),
      },
    })
  }
  return { date: on, missions: rank(missions) }
}

const rank = (missions: Mission[]) =>
  missions.sort((a, b) => b.priority - a.priority || a.title.localeCompare(b.title))
const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1)
