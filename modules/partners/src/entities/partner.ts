import { BusinessRule, defineEntity, type EntityContext, NotFound } from '@tessera/kernel'
import { partnersTx } from '../tables.ts'

export const PAYMENT_TERMS = ['immediate', 'net_15', 'net_30', 'net_45', 'net_60', 'end_of_month'] as const

/**
 * A contact: a person or an organisation, the one table every later module (sales, purchase,
 * accounting, CRM, helpdesk) points at for "who". Partners are shared by all the tenant's
 * companies (not company-scoped), as in Odoo by default: the same customer buys from each of them.
 */
export const partnerEntity = defineEntity({
  key: 'partners.partner',
  label: 'Contact',
  pluralLabel: 'Contacts',
  table: 'partners',
  resource: 'partners',
  fields: {
    kind: { type: 'select', label: 'Kind', options: ['person', 'organization'], required: true },
    name: { type: 'text', label: 'Name', required: true, maxLength: 200, searchable: true },
    organization: {
      type: 'reference',
      label: 'Organization',
      target: 'partners.partner',
      description: 'the organisation a person works for',
    },
    job_title: { type: 'text', label: 'Job title', maxLength: 100 },
    email: { type: 'email', label: 'Email', searchable: true },
    phone: { type: 'phone', label: 'Phone' },
    mobile: { type: 'phone', label: 'Mobile' },
    website: { type: 'url', label: 'Website' },
    vat_id: {
      type: 'text',
      label: 'Tax ID',
      maxLength: 40,
      pattern: '^[A-Za-z0-9][A-Za-z0-9 .\\-/]{1,39}$',
      searchable: true,
    },
    ref: {
      type: 'text',
      label: 'Reference',
      description: "the tenant's own code for the contact, e.g. a customer number",
      maxLength: 64,
      unique: true,
    },
    is_customer: { type: 'boolean', label: 'Customer', required: true, default: false },
    is_supplier: { type: 'boolean', label: 'Supplier', required: true, default: false },
    category: { type: 'reference', label: 'Category', target: 'partners.category' },
    tags: { type: 'many_to_many', label: 'Tags', target: 'partners.tag' },
    // a placeholder until accounting brings payment terms of its own
    payment_terms: { type: 'select', label: 'Payment terms', options: PAYMENT_TERMS },
    notes: { type: 'long_text', label: 'Notes', maxLength: 20_000 },
    addresses: { type: 'children', label: 'Addresses', target: 'partners.address', inverse: 'partner' },
  },
  display: 'name',
  search: ['name', 'email', 'vat_id'],
  sort: 'name',
  archivable: true,
  companyScoped: false,
  layout: {
    sections: [
      { label: 'Contact', fields: ['kind', 'name', 'organization', 'job_title', 'ref'] },
      { label: 'Reach', fields: ['email', 'phone', 'mobile', 'website'] },
      {
        label: 'Business',
        fields: ['is_customer', 'is_supplier', 'category', 'tags', 'vat_id', 'payment_terms'],
      },
      { label: 'Addresses', fields: ['addresses'] },
      { label: 'Notes', fields: ['notes'] },
    ],
    list: ['name', 'kind', 'organization', 'email', 'phone', 'is_customer', 'is_supplier', 'tags'],
    kanban: 'category',
  },
  validate: checkOrganization,
})

/**
 * A person may belong to an organisation; an organisation belongs to none, and nobody to
 * themselves. An organisation with people cannot become a person (they would point at a person).
 */
async function checkOrganization(
  ctx: EntityContext,
  record: Readonly<Record<string, unknown>>,
  previous: Readonly<Record<string, unknown>> | undefined,
): Promise<void> {
  const organization = record.organization as string | null | undefined
  if (organization) {
    if (record.kind !== 'person')
      throw BusinessRule.field('organization', 'An organization cannot belong to another organization.')
    if (organization === record.id)
      throw BusinessRule.field('organization', 'A contact cannot belong to itself.')
    const target = await partnersTx(ctx.db)
      .selectFrom('partners')
      .select('kind')
      .where('id', '=', organization)
      .executeTakeFirst()
    if (!target) throw NotFound.field('organization', 'The organization does not exist.')
    if (target.kind !== 'organization')
      throw BusinessRule.field(
        'organization',
        'A person can only belong to an organization, not to a person.',
      )
  }
  if (previous?.kind === 'organization' && record.kind === 'person') {
    const member = await partnersTx(ctx.db)
      .selectFrom('partners')
      .select('id')
      .where('organization_id', '=', record.id as string)
      .limit(1)
      .executeTakeFirst()
    if (member)
      throw BusinessRule.field('kind', 'People belong to this organization: it cannot become a person.')
  }
}
