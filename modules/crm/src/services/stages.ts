import type { Tx } from '@tessera/kernel'
import { crmTx } from '../tables.ts'

export interface Stage {
  id: string
  name: string
  sequence: number
  probability: number
  is_won: boolean
  is_lost: boolean
  required_fields: string[]
}

/** The tenant's stages in pipeline order (archived ones left out). */
export function listStages(trx: Tx): Promise<Stage[]> {
  return crmTx(trx)
    .selectFrom('crm_stages')
    .select(['id', 'name', 'sequence', 'probability', 'is_won', 'is_lost', 'required_fields'])
    .where('archived_at', 'is', null)
    .orderBy('sequence')
    .orderBy('id')
    .execute()
}

export async function stageById(trx: Tx, id: string): Promise<Stage | undefined> {
  return crmTx(trx)
    .selectFrom('crm_stages')
    .select(['id', 'name', 'sequence', 'probability', 'is_won', 'is_lost', 'required_fields'])
    .where('id', '=', id)
    .executeTakeFirst()
}

/** The first stage of the pipeline that is neither won nor lost: where a new opportunity starts. */
export async function firstOpenStage(trx: Tx): Promise<Stage | undefined> {
  return (await listStages(trx)).find((s) => !s.is_won && !s.is_lost)
}

/** The stage a won (or lost) opportunity moves to. */
export async function outcomeStage(trx: Tx, outcome: 'won' | 'lost'): Promise<Stage | undefined> {
  return (await listStages(trx)).find((s) => (outcome === 'won' ? s.is_won : s.is_lost))
}
