import { can, type EntityContext, getRecord, Invalid, type JsonRecord } from '@tessera/kernel'
import { partnerEntity } from '@tessera/partners'
import { activityEntity } from '../entities/activity.ts'
import { opportunityEntity } from '../entities/opportunity.ts'
import { extractFacts, type Fact } from './memory-facts.ts'
import { allRecords, literal, modelOf } from './records.ts'

/** Activities read for one memory: the latest ones say what matters now. */
const RECENT = 20
const PER_KIND = 5

export interface MemoryFact extends Fact {
  source: { entity: string; id: string; at: string; subject: string | null }
}

/**
 * The customer memory of a contact or an opportunity: facts worth recalling (people, dates,
 * personal events, preferences, commitments) from its latest activities' subjects and notes and
 * the deals' notes, newest first, and a short "last time" summary. Reads only what the member may.
 */
export async function customerMemory(ctx: EntityContext, target: { partner?: string; opportunity?: string }) {
  const sources: { entity: string; id: string; at: string; subject: string | null; text: string }[] = []
  let filter: string
  if (target.opportunity) {
    const deal = await getRecord(ctx, await modelOf(ctx, opportunityEntity.key), target.opportunity)
    sources.push(dealSource(deal))
    filter = `opportunity = ${literal(target.opportunity)}`
  } else if (target.partner) {
    await getRecord(ctx, await modelOf(ctx, partnerEntity.key), target.partner, { fields: 'name' })
    const deals = can(ctx.actor, 'crm.opportunity:read')
      ? await allRecords(ctx, opportunityEntity.key, {
          filter: `organization = ${literal(target.partner)} or contact = ${literal(target.partner)}`,
        })
      : []
    sources.push(...deals.map(dealSource))
    filter = [
      `partner = ${literal(target.partner)}`,
      ...deals.map((d) => `opportunity = ${literal(d.id as string)}`),
    ].join(' or ')
  } else throw Invalid.field('partner', 'Give a partner or an opportunity.', 'required')
  const activities = can(ctx.actor, 'crm.activity:read')
    ? (await allRecords(ctx, activityEntity.key, { filter, sort: '-created_at' })).slice(0, RECENT)
    : []
  for (const a of activities)
    sources.push({
      entity: activityEntity.key,
      id: a.id as string,
      at: a.created_at as string,
      subject: `${String(a.type)}: ${String(a.subject)}`,
      text: [a.subject, a.note].filter((x) => typeof x === 'string' && x !== '').join('. '),
    })
  sources.sort((a, b) => b.at.localeCompare(a.at))
  const facts: MemoryFact[] = []
  const seen = new Set<string>()
  for (const source of sources) {
    for (const fact of extractFacts(source.text)) {
      const key = `${fact.kind}:${fact.text.toLowerCase()}`
      if (seen.has(key)) continue
      seen.add(key)
      facts.push({
        ...fact,
        source: { entity: source.entity, id: source.id, at: source.at, subject: source.subject },
      })
    }
  }
  const kept = (['commitment', 'personal_event', 'preference', 'person', 'date'] as const).flatMap((kind) =>
    facts.filter((f) => f.kind === kind).slice(0, PER_KIND),
  )
  const last = activities[0] ?? null
  return { summary: summarise(last, kept), facts: kept, last: last ? lastView(last) : null }
}

function dealSource(deal: JsonRecord) {
  return {
    entity: opportunityEntity.key,
    id: deal.id as string,
    at: deal.updated_at as string,
    subject: String(deal.name),
    text: [deal.name, deal.description].filter((x) => typeof x === 'string' && x !== '').join('. '),
  }
}

const lastView = (a: JsonRecord) => ({
  id: a.id,
  type: a.type,
  subject: a.subject,
  at: a.created_at,
  note: a.note ?? null,
})

/** "Last time (call on 2026-11-20: Renewal): … Remember: …" in a few lines. */
function summarise(last: JsonRecord | null, facts: MemoryFact[]): string | null {
  const parts: string[] = []
  if (last) {
    const note = typeof last.note === 'string' ? (last.note.split(/(?<=[.!?])\s/)[0] ?? '') : ''
    parts.push(
      `Last time (${String(last.type)} on ${String(last.created_at).slice(0, 10)}: ${String(last.subject)})${note ? `: ${note}` : '.'}`,
    )
  }
  const remember = facts
    .filter((f) => ['commitment', 'personal_event', 'preference'].includes(f.kind))
    .slice(0, 3)
  if (remember.length > 0) parts.push(`Remember: ${remember.map((f) => f.text).join(' ')}`)
  const people = [...new Set(facts.filter((f) => f.kind === 'person').map((f) => f.text))].slice(0, 5)
  if (people.length > 0) parts.push(`People: ${people.join(', ')}.`)
  return parts.length > 0 ? parts.join(' ') : null
}
