import { BusinessRule, createRecord, type EntityContext, loadModel } from '@tessera/kernel'
import { partnerEntity } from '@tessera/partners'

type Values = Readonly<Record<string, unknown>>

/**
 * Contacts made from a lead's free-text names, through the partners entity (so the member's rights
 * on contacts apply): the organisation from company_name, the person from contact_name, working
 * for it. A lead with neither name cannot be made into a contact: 422 naming company_name.
 */
export async function partnerFromLead(
  ctx: EntityContext,
  lead: Values,
  options: { customer: boolean },
): Promise<{ organization: string | null; contact: string | null }> {
  const companyName = typeof lead.company_name === 'string' ? lead.company_name.trim() : ''
  const contactName = typeof lead.contact_name === 'string' ? lead.contact_name.trim() : ''
  if (companyName === '' && contactName === '')
    throw BusinessRule.field(
      'company_name',
      'The lead names no contact: link an organization or contact, or fill company_name or contact_name.',
      'no_customer',
    )
  const model = await loadModel(ctx.db, partnerEntity.key)
  if (!model) throw new BusinessRule('module_inactive', 'Contacts are not available.')
  const reach = { ...(lead.email ? { email: lead.email } : {}), ...(lead.phone ? { phone: lead.phone } : {}) }
  const organization =
    companyName === ''
      ? null
      : ((
          await createRecord(ctx, model, {
            kind: 'organization',
            name: companyName,
            is_customer: options.customer,
            ...(contactName === '' ? reach : {}),
          })
        ).id as string)
  const contact =
    contactName === ''
      ? null
      : ((
          await createRecord(ctx, model, {
            kind: 'person',
            name: contactName,
            organization,
            is_customer: options.customer && organization === null,
            ...reach,
          })
        ).id as string)
  return { organization, contact }
}
