import type { EntityMetadata, FilterNode } from '@tessera/kernel'

/** Test metadata: deals referencing partners, with every field type, as the entity engine would give it. */
export const partners: EntityMetadata = {
  name: 'test.partner',
  table: 'partners',
  tenantColumn: 'tenant_id',
  fields: {
    id: { type: 'uuid', column: 'id' },
    name: { type: 'text', column: 'name' },
    country: { type: 'text', column: 'country' },
    secret_note: { type: 'text', column: 'secret_note', filterable: false },
  },
  customFields: { tier: { type: 'select', options: ['gold', 'silver'] } },
}

export const deals: EntityMetadata = {
  name: 'test.deal',
  table: 'deals',
  tenantColumn: 'tenant_id',
  fields: {
    id: { type: 'uuid', column: 'id' },
    name: { type: 'text', column: 'name' },
    region: { type: 'select', column: 'region', options: ['North', 'South', 'East', 'West'] },
    amount: { type: 'money', column: 'amount' },
    quantity: { type: 'integer', column: 'quantity' },
    probability: { type: 'decimal', column: 'probability' },
    closes_on: { type: 'date', column: 'closes_on' },
    created_at: { type: 'datetime', column: 'created_at' },
    won: { type: 'boolean', column: 'won' },
    owner_id: { type: 'uuid', column: 'owner_id' },
    company_id: { type: 'uuid', column: 'company_id' },
    partner: { type: 'reference', column: 'partner_id', target: () => partners },
    tags: { type: 'multi_select', column: 'tags', options: ['vip', 'new', 'renewal'] },
    payload: { type: 'json', column: 'payload' },
    password_hash: { type: 'text', column: 'password_hash', filterable: false },
  },
  customFields: {
    referral_source: { type: 'text' },
    score: { type: 'integer' },
    budget: { type: 'decimal' },
    signed_on: { type: 'date' },
    vip: { type: 'boolean' },
    channels: { type: 'multi_select', options: ['email', 'phone', 'visit'] },
    account_manager: { type: 'reference', target: partners },
    hidden: { type: 'text', filterable: false },
  },
}

/** The tree without source locations, to compare what two inputs mean. */
export function shape(node: FilterNode): unknown {
  return JSON.parse(JSON.stringify(node, (key, value) => (key === 'at' ? undefined : value)))
}
