import {
  createConverter,
  type EntityContext,
  type JsonRecord,
  type Money,
  minorUnitOf,
  roundToMinorUnit,
} from '@tessera/kernel'
import Decimal from 'decimal.js'
import { opportunityEntity } from '../entities/opportunity.ts'
import { companyCurrency } from './company-currency.ts'
import { latestScores } from './confidence-store.ts'
import { memberNames } from './members.ts'
import { allRecords, literal, ref } from './records.ts'
import { listStages, type Stage } from './stages.ts'

export interface PipelineFilter {
  owner?: string
  tag?: string
}

/** What could not be added to a total in the company currency: no rate from this currency. */
export interface Unconverted {
  currency: string
  amount: string
  count: number
}

/**
 * The kanban: one column per stage with its opportunities and their expected revenue summed in
 * the company currency, each amount converted at the latest rate. An amount in a currency with no
 * rate is never added as it is: it is listed under `unconverted`, per currency. Opportunities
 * without a stage sit in the first open column, where they start.
 */
export async function pipeline(ctx: EntityContext, filter: PipelineFilter) {
  const currency = await companyCurrency(ctx)
  const convert = await createConverter(ctx.db, currency)
  const unit = (await minorUnitOf(ctx.db, currency)) ?? 2
  const stages = await listStages(ctx.db)
  const conditions = [`type = 'opportunity'`]
  if (filter.owner) conditions.push(`owner = ${literal(filter.owner)}`)
  if (filter.tag) conditions.push(`tags contains ${literal(filter.tag)}`)
  const records = await allRecords(ctx, opportunityEntity.key, {
    filter: conditions.join(' and '),
    sort: 'expected_close_date,name',
    include: 'organization,contact,tags',
  })
  const scores = await latestScores(
    ctx.db,
    records.map((r) => r.id as string),
  )
  const owners = await memberNames(
    ctx.db,
    records.map((r) => (r.owner as string | null) ?? null),
  )
  const start = stages.find((s) => !s.is_won && !s.is_lost)
  const columns = stages.map((stage) => ({ stage, cards: [] as JsonRecord[], money: [] as Money[] }))
  for (const record of records) {
    const column = columns.find((c) => c.stage.id === (record.stage ?? start?.id))
    if (!column) continue
    const revenue = record.expected_revenue as Money | null
    if (revenue) column.money.push(revenue)
    const converted = revenue ? await convert(revenue) : null
    const owner = (record.owner as string | null) ?? null
    column.cards.push({
      id: record.id,
      name: record.name,
      type: record.type,
      state: record.state,
      version: record.version,
      organization: ref(record.organization),
      contact: ref(record.contact),
      expected_revenue: revenue,
      expected_revenue_converted: converted ?? null,
      expected_close_date: record.expected_close_date ?? null,
      owner: owner ? { id: owner, name: owners.get(owner) ?? null } : null,
      tags: ((record.tags as JsonRecord[] | string[]) ?? []).map((t) => ref(t)),
      confidence: scores.get(record.id as string)?.score ?? null,
    })
  }
  const out = []
  let grand = new Decimal(0)
  const missing: Money[] = []
  for (const column of columns) {
    const sum = await total(column.money, convert)
    grand = grand.add(sum.amount)
    missing.push(...column.money.filter((_, i) => sum.failed.has(i)))
    out.push({
      stage: stageView(column.stage),
      count: column.cards.length,
      total: { amount: roundToMinorUnit(sum.amount, unit), currency },
      unconverted: unconverted(column.money.filter((_, i) => sum.failed.has(i))),
      opportunities: column.cards,
    })
  }
  return {
    currency,
    columns: out,
    total: { amount: roundToMinorUnit(grand, unit), currency },
    unconverted: unconverted(missing),
  }
}

async function total(money: Money[], convert: (m: Money) => Promise<Money | undefined>) {
  let amount = new Decimal(0)
  const failed = new Set<number>()
  for (const [i, m] of money.entries()) {
    const converted = await convert(m)
    if (converted) amount = amount.add(converted.amount)
    else failed.add(i)
  }
  return { amount, failed }
}

function unconverted(money: Money[]): Unconverted[] {
  const by = new Map<string, Unconverted>()
  for (const m of money) {
    const u = by.get(m.currency) ?? { currency: m.currency, amount: '0', count: 0 }
    u.amount = new Decimal(u.amount).add(m.amount).toFixed()
    u.count += 1
    by.set(m.currency, u)
  }
  return [...by.values()].sort((a, b) => a.currency.localeCompare(b.currency))
}

const stageView = (s: Stage) => ({
  id: s.id,
  name: s.name,
  sequence: s.sequence,
  probability: s.probability,
  is_won: s.is_won,
  is_lost: s.is_lost,
  required_fields: s.required_fields,
})
