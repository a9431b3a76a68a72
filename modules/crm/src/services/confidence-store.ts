import { newId, type Tx, today } from '@tessera/kernel'
import { crmTx } from '../tables.ts'
import { dealActivities, openDeals, type Signal, scoreDeal } from './confidence.ts'
import { loadWeights } from './confidence-weights.ts'

export interface StoredScore {
  score: number
  signals: Signal[]
  computed_at: string
  /** the score before this one, if any: a drop is a reason to look at the deal */
  previous_score: number | null
}

/**
 * Recomputes and stores the confidence of open opportunities (all, or those given). A new row is
 * written only when the score or its reasons changed, so history shows movements, not ticks.
 */
export async function recomputeConfidence(
  trx: Tx,
  tenantId: string,
  ids?: readonly string[],
): Promise<number> {
  const deals = await openDeals(trx, ids)
  if (deals.length === 0) return 0
  const weights = await loadWeights(trx)
  const activities = await dealActivities(
    trx,
    deals.map((d) => d.id),
  )
  const current = await latestScores(
    trx,
    deals.map((d) => d.id),
  )
  const on = today()
  let written = 0
  for (const deal of deals) {
    const { score, signals } = scoreDeal(deal, activities.get(deal.id) ?? [], weights, on)
    const before = current.get(deal.id)
    if (before && before.score === score && JSON.stringify(before.signals) === JSON.stringify(signals))
      continue
    await crmTx(trx)
      .insertInto('crm_confidence_scores')
      .values({
        tenant_id: tenantId,
        id: newId(),
        opportunity_id: deal.id,
        score,
        signals: JSON.stringify(signals),
      })
      .execute()
    written += 1
  }
  return written
}

/** The latest stored score of each opportunity given, with the one before it. */
export async function latestScores(trx: Tx, ids: readonly string[]): Promise<Map<string, StoredScore>> {
  const out = new Map<string, StoredScore>()
  if (ids.length === 0) return out
  const rows = await crmTx(trx)
    .selectFrom('crm_confidence_scores')
    .select(['opportunity_id', 'score', 'signals', 'computed_at'])
    .where('opportunity_id', 'in', ids)
    .orderBy('opportunity_id')
    .orderBy('computed_at', 'desc')
    .orderBy('id', 'desc')
    .execute()
  for (const r of rows) {
    const known = out.get(r.opportunity_id)
    if (!known)
      out.set(r.opportunity_id, {
        score: r.score,
        signals: r.signals as Signal[],
        computed_at: new Date(r.computed_at as Date).toISOString(),
        previous_score: null,
      })
    else if (known.previous_score === null) known.previous_score = r.score
  }
  return out
}
