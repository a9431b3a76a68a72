import { defineEntity } from '@tessera/kernel'
import { checkOpportunity } from '../services/opportunity-rules.ts'
import { loseGuard, markLost, markWon, reopenDeal } from '../services/outcome.ts'

export const LEAD_SOURCES = [
  'website',
  'referral',
  'email',
  'phone',
  'event',
  'social',
  'partner',
  'advertising',
  'other',
] as const

/**
 * A lead or an opportunity: one record with a type, as Odoo's crm.lead, so converting a lead keeps
 * its history. A lead may name its contact in free text (contact_name, company_name) until it is
 * qualified; converting links (or creates) the contact. `state` is the outcome, changed by the
 * actions win, lose and reopen; `stage` is the pipeline column while open.
 */
export const opportunityEntity = defineEntity({
  key: 'crm.opportunity',
  label: 'Opportunity',
  pluralLabel: 'Opportunities',
  table: 'crm_opportunities',
  resource: 'opportunities',
  fields: {
    type: {
      type: 'select',
      label: 'Type',
      options: ['lead', 'opportunity'],
      required: true,
      default: 'lead',
    },
    name: { type: 'text', label: 'Title', required: true, maxLength: 200, searchable: true },
    contact: { type: 'reference', label: 'Contact', target: 'partners.partner' },
    organization: { type: 'reference', label: 'Organization', target: 'partners.partner' },
    contact_name: { type: 'text', label: 'Contact name', maxLength: 200, searchable: true },
    company_name: { type: 'text', label: 'Company name', maxLength: 200, searchable: true },
    email: { type: 'email', label: 'Email', searchable: true },
    phone: { type: 'phone', label: 'Phone' },
    source: { type: 'select', label: 'Source', options: LEAD_SOURCES },
    expected_revenue: { type: 'money', label: 'Expected revenue', min: 0 },
    expected_close_date: { type: 'date', label: 'Expected close date' },
    owner: { type: 'user', label: 'Owner', description: 'the member in charge', column: 'owner_id' },
    stage: { type: 'reference', label: 'Stage', target: 'crm.stage' },
    tags: { type: 'many_to_many', label: 'Tags', target: 'partners.tag' },
    lost_reason: { type: 'text', label: 'Lost reason', maxLength: 500 },
    description: { type: 'long_text', label: 'Notes', maxLength: 20_000, searchable: true },
    closed_at: { type: 'datetime', label: 'Closed at', readOnly: true },
  },
  display: 'name',
  search: ['name', 'contact_name', 'company_name', 'email'],
  sort: '-created_at',
  archivable: true,
  companyScoped: false,
  workflow: {
    initial: 'open',
    states: [
      { key: 'open', label: 'Open' },
      { key: 'won', label: 'Won' },
      { key: 'lost', label: 'Lost' },
    ],
    transitions: [
      { name: 'win', label: 'Mark won', from: ['open'], to: 'won', effect: markWon },
      { name: 'lose', label: 'Mark lost', from: ['open'], to: 'lost', guard: loseGuard, effect: markLost },
      { name: 'reopen', label: 'Reopen', from: ['won', 'lost'], to: 'open', effect: reopenDeal },
    ],
  },
  layout: {
    sections: [
      {
        label: 'Deal',
        fields: ['type', 'name', 'stage', 'expected_revenue', 'expected_close_date', 'owner'],
      },
      {
        label: 'Customer',
        fields: ['organization', 'contact', 'company_name', 'contact_name', 'email', 'phone'],
      },
      { label: 'Qualification', fields: ['source', 'tags', 'lost_reason'] },
      { label: 'Notes', fields: ['description'] },
    ],
    list: ['name', 'type', 'organization', 'stage', 'expected_revenue', 'expected_close_date', 'owner'],
    kanban: 'stage',
  },
  validate: checkOpportunity,
})
