import {
  BusinessRule,
  type EntityContext,
  getRecord,
  type JsonRecord,
  loadModel,
  updateRecord,
} from '@tessera/kernel'
import { opportunityEntity } from '../entities/opportunity.ts'
import { partnerFromLead } from './partner-from-lead.ts'
import { firstOpenStage } from './stages.ts'

export const ConvertInput = {
  type: 'object',
  additionalProperties: false,
  properties: {
    create_partner: {
      type: 'boolean',
      default: true,
      description: 'make contacts from company_name / contact_name when the lead links none (default true)',
    },
    organization: { type: 'string', format: 'uuid', description: 'link this organisation instead' },
    contact: { type: 'string', format: 'uuid', description: 'link this contact instead' },
  },
} as const

export interface Convert {
  create_partner?: boolean
  organization?: string
  contact?: string
}

/**
 * Lead → opportunity, as Odoo's convert: the customer linked (the given contacts, or new ones made
 * from the lead's names), the deal placed in the first open stage and owned by the converting
 * member when it had no owner. Goes through the entity store, so the member's rights, the
 * references' checks and the audit trail apply.
 */
export async function convertLead(ctx: EntityContext, id: string, input: Convert): Promise<JsonRecord> {
  const model = await loadModel(ctx.db, opportunityEntity.key)
  if (!model) throw new BusinessRule('module_inactive', 'CRM is not active.')
  const lead = await getRecord(ctx, model, id)
  if (lead.type !== 'lead')
    throw BusinessRule.field('type', 'This is already an opportunity.', 'already_opportunity')
  const change: Record<string, unknown> = { type: 'opportunity' }
  if (input.organization) change.organization = input.organization
  if (input.contact) change.contact = input.contact
  const linked = lead.organization || lead.contact || input.organization || input.contact
  if (!linked && input.create_partner !== false && (lead.company_name || lead.contact_name)) {
    const made = await partnerFromLead(ctx, lead, { customer: false })
    change.organization = made.organization
    change.contact = made.contact
  }
  if (!lead.stage) change.stage = (await firstOpenStage(ctx.db))?.id ?? null
  // a qualified deal has someone in charge: whoever converts it, unless it has an owner
  if (!lead.owner) change.owner = ctx.actor.userId
  return updateRecord(ctx, model, id, change)
}
