import { type ModuleSeedContext, newId } from '@tessera/kernel'
import { crmTx } from './tables.ts'

/** Odoo's default pipeline; a proposal needs an amount, a negotiation also a close date. */
const STAGES = [
  { name: 'New', sequence: 10, probability: 10, is_won: false, is_lost: false, required_fields: [] },
  { name: 'Qualified', sequence: 20, probability: 25, is_won: false, is_lost: false, required_fields: [] },
  {
    name: 'Proposal',
    sequence: 30,
    probability: 50,
    is_won: false,
    is_lost: false,
    required_fields: ['expected_revenue'],
  },
  {
    name: 'Negotiation',
    sequence: 40,
    probability: 75,
    is_won: false,
    is_lost: false,
    required_fields: ['expected_revenue', 'expected_close_date'],
  },
  { name: 'Won', sequence: 90, probability: 100, is_won: true, is_lost: false, required_fields: [] },
  { name: 'Lost', sequence: 100, probability: 0, is_won: false, is_lost: true, required_fields: [] },
]

/** A tenant's first activation: the default pipeline, which it may rename, reorder or extend. */
export async function seedCrm({ db, tenantId, userId }: ModuleSeedContext): Promise<void> {
  await crmTx(db)
    .insertInto('crm_stages')
    .values(
      STAGES.map((s) => ({ tenant_id: tenantId, id: newId(), created_by: userId, updated_by: userId, ...s })),
    )
    .execute()
}
