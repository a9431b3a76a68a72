import {
  BusinessRule,
  type EntityContext,
  getRecord,
  isModuleActive,
  type JsonRecord,
  publishChange,
} from '@tessera/kernel'
import { opportunityEntity } from '../entities/opportunity.ts'
import { modelOf } from './records.ts'

/**
 * Asks for a quote: publishes `crm.opportunity.quote_requested` with the opportunity (customer,
 * contact, amount, owner, notes) for a sales module to make the quote from. CRM knows no sales
 * module: without one active there is nobody to ask, so the request is refused (422).
 */
export async function requestQuote(ctx: EntityContext, id: string): Promise<JsonRecord> {
  const model = await modelOf(ctx, opportunityEntity.key)
  const record = await getRecord(ctx, model, id)
  if (!(await isModuleActive(ctx.db, 'sales')))
    throw new BusinessRule('sales_inactive', 'No sales module is active to make the quote.')
  if (record.state !== 'open')
    throw BusinessRule.field(
      'state',
      `The deal is ${String(record.state)}: reopen it to quote it.`,
      'closed_deal',
    )
  await publishChange(ctx, { model, action: 'quote_request', recordId: id, before: record, after: record })
  return record
}
