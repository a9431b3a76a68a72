import type { Tx } from '@tessera/kernel'
import { crmTx } from '../tables.ts'
import type { Weights } from './confidence-weights.ts'

/** One reason in a score: a signed amount and why. */
export interface Signal {
  code:
    | 'stage'
    | 'no_recent_activity'
    | 'meeting_scheduled'
    | 'proposal_sent'
    | 'proposal_opened'
    | 'close_date_passed'
  amount: number
  reason: string
}

export interface Deal {
  id: string
  created_at: Date | string
  expected_close_date: string | null
  stage: { name: string; probability: number } | null
}

export interface DealActivity {
  type: string
  done: boolean
  due_date: string | null
  is_proposal: boolean
  opens: number
  created_at: Date | string
  updated_at: Date | string
}

const DAY = 86_400_000
const dayOf = (value: Date | string) => new Date(value).toISOString().slice(0, 10)
const daysBetween = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / DAY)

/**
 * The deal confidence, 0 to 100: the stage's probability (weighted), plus or minus each signal
 * found in the deal and its activities on `on`. Pure: the same deal, activities and day give the
 * same score and reasons, which is what is stored.
 */
export function scoreDeal(
  deal: Deal,
  activities: readonly DealActivity[],
  weights: Weights,
  on: string,
): { score: number; signals: Signal[] } {
  const signals: Signal[] = []
  const add = (code: Signal['code'], amount: number, reason: string) => {
    if (amount !== 0) signals.push({ code, amount, reason })
  }
  if (deal.stage)
    add(
      'stage',
      Math.round((deal.stage.probability * weights.stage_weight) / 100),
      `In the stage "${deal.stage.name}" (${deal.stage.probability}% probability)`,
    )
  const touched = activities.map((a) => dayOf(a.done ? a.updated_at : a.created_at))
  const last = [dayOf(deal.created_at), ...touched].sort().at(-1) as string
  const idle = daysBetween(last, on)
  if (idle >= weights.idle_days)
    add('no_recent_activity', weights.no_recent_activity, `No activity for ${idle} days`)
  const meeting = activities
    .filter((a) => a.type === 'meeting' && !a.done && a.due_date !== null && a.due_date >= on)
    .sort((a, b) => String(a.due_date).localeCompare(String(b.due_date)))[0]
  if (meeting) add('meeting_scheduled', weights.meeting_scheduled, `Meeting scheduled on ${meeting.due_date}`)
  const proposal = activities.filter((a) => a.is_proposal && a.done).sort((a, b) => b.opens - a.opens)[0]
  if (proposal) {
    add('proposal_sent', weights.proposal_sent, `Proposal sent on ${dayOf(proposal.updated_at)}`)
    if (proposal.opens >= weights.proposal_open_threshold)
      add('proposal_opened', weights.proposal_opened, `Proposal opened ${proposal.opens} times`)
  }
  if (deal.expected_close_date && deal.expected_close_date < on)
    add(
      'close_date_passed',
      weights.close_date_passed,
      `Expected close date ${deal.expected_close_date} has passed`,
    )
  const sum = signals.reduce((s, x) => s + x.amount, 0)
  return { score: Math.max(0, Math.min(100, sum)), signals }
}

/** The open opportunities (all, or those given) with their stage, as scoring reads them. */
export async function openDeals(trx: Tx, ids?: readonly string[]): Promise<Deal[]> {
  let select = crmTx(trx)
    .selectFrom('crm_opportunities as o')
    .leftJoin('crm_stages as s', 's.id', 'o.stage_id')
    .select(['o.id', 'o.created_at', 'o.expected_close_date', 's.name as stage_name', 's.probability'])
    .where('o.type', '=', 'opportunity')
    .where('o.state', '=', 'open')
    .where('o.archived_at', 'is', null)
  if (ids) {
    if (ids.length === 0) return []
    select = select.where('o.id', 'in', ids)
  }
  const rows = await select.execute()
  return rows.map((r) => ({
    id: r.id,
    created_at: r.created_at,
    expected_close_date: r.expected_close_date ? String(r.expected_close_date).slice(0, 10) : null,
    stage: r.stage_name === null ? null : { name: r.stage_name, probability: Number(r.probability) },
  }))
}

export async function dealActivities(trx: Tx, ids: readonly string[]): Promise<Map<string, DealActivity[]>> {
  const by = new Map<string, DealActivity[]>()
  if (ids.length === 0) return by
  const rows = await crmTx(trx)
    .selectFrom('crm_activities')
    .select([
      'opportunity_id',
      'type',
      'done',
      'due_date',
      'is_proposal',
      'opens',
      'created_at',
      'updated_at',
    ])
    .where('opportunity_id', 'in', ids)
    .execute()
  for (const r of rows) {
    const list = by.get(r.opportunity_id as string) ?? []
    list.push({ ...r, due_date: r.due_date ? String(r.due_date).slice(0, 10) : null })
    by.set(r.opportunity_id as string, list)
  }
  return by
}
