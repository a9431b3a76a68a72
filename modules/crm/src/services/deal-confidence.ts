import { type EntityContext, getRecord } from '@tessera/kernel'
import { opportunityEntity } from '../entities/opportunity.ts'
import { latestScores, type StoredScore } from './confidence-store.ts'
import { modelOf } from './records.ts'

/** An opportunity's latest confidence with its reasons, if the member may read the opportunity. */
export async function dealConfidence(ctx: EntityContext, id: string): Promise<StoredScore | { score: null }> {
  await getRecord(ctx, await modelOf(ctx, opportunityEntity.key), id, { fields: 'name' })
  return (await latestScores(ctx.db, [id])).get(id) ?? { score: null }
}
