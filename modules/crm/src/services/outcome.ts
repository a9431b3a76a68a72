import { BusinessRule, type EntityContext, getRecord, loadModel, updateRecord } from '@tessera/kernel'
import { partnerEntity } from '@tessera/partners'
import { crmTx } from '../tables.ts'
import { partnerFromLead } from './partner-from-lead.ts'
import { firstOpenStage, outcomeStage, stageById } from './stages.ts'

type Values = Readonly<Record<string, unknown>>

/**
 * Won: the deal becomes an opportunity in the won stage, closed now, and its customer a customer
 * partner — the organisation, else the contact, else one made from the lead's company or contact
 * name. The action then records `crm.opportunity.won` with the record as it ends up, which is
 * what a projects module (or any other) subscribes to.
 */
export async function markWon(ctx: EntityContext, record: Values): Promise<void> {
  const stage = await outcomeStage(ctx.db, 'won')
  const id = record.id as string
  let customer = (record.organization ?? record.contact) as string | null
  if (!customer) {
    const made = await partnerFromLead(ctx, record, { customer: true })
    await crmTx(ctx.db)
      .updateTable('crm_opportunities')
      .set({ organization_id: made.organization, contact_id: made.contact })
      .where('id', '=', id)
      .execute()
    customer = made.organization ?? made.contact
  } else {
    const partners = await loadModel(ctx.db, partnerEntity.key)
    if (partners) {
      const partner = await getRecord(ctx, partners, customer)
      if (partner.is_customer !== true) await updateRecord(ctx, partners, customer, { is_customer: true })
    }
  }
  await crmTx(ctx.db)
    .updateTable('crm_opportunities')
    .set({ type: 'opportunity', closed_at: new Date(), ...(stage ? { stage_id: stage.id } : {}) })
    .where('id', '=', id)
    .execute()
}

/** Lost needs its reason, as Odoo asks for it: set lost_reason first (a PATCH), then lose. */
export function loseGuard(_ctx: EntityContext, record: Values): undefined {
  if (typeof record.lost_reason !== 'string' || record.lost_reason.trim() === '')
    throw BusinessRule.field(
      'lost_reason',
      'Say why the deal was lost (lost_reason) before marking it lost.',
      'required',
    )
  return undefined
}

/** Lost: closed now, in the lost stage. */
export async function markLost(ctx: EntityContext, record: Values): Promise<void> {
  const stage = await outcomeStage(ctx.db, 'lost')
  await crmTx(ctx.db)
    .updateTable('crm_opportunities')
    .set({ closed_at: new Date(), ...(stage ? { stage_id: stage.id } : {}) })
    .where('id', '=', record.id as string)
    .execute()
}

/** Reopened: open again, back in the first open stage if it sat in the won or lost one. */
export async function reopenDeal(ctx: EntityContext, record: Values): Promise<void> {
  const current = typeof record.stage === 'string' ? await stageById(ctx.db, record.stage) : undefined
  const stage = current && (current.is_won || current.is_lost) ? await firstOpenStage(ctx.db) : undefined
  await crmTx(ctx.db)
    .updateTable('crm_opportunities')
    .set({ closed_at: null, ...(stage ? { stage_id: stage.id } : {}) })
    .where('id', '=', record.id as string)
    .execute()
}
