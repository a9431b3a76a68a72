import { defineEntity, type EntityContext, Invalid } from '@tessera/kernel'
import { partnersTx } from '../tables.ts'

/**
 * A postal address of a contact, a line of its `addresses`: written only through the contact
 * (POST or PATCH with the lines inline), never on its own. The country is an ISO 3166-1 alpha-2
 * code from the `countries` reference table; the subdivision is free text (an ISO 3166-2 code or
 * a name), because postal practice varies too much to enforce one.
 */
export const addressEntity = defineEntity({
  key: 'partners.address',
  label: 'Address',
  pluralLabel: 'Addresses',
  table: 'partner_addresses',
  resource: 'partner-addresses',
  childOf: 'partners.partner',
  fields: {
    // set from the contact the address is written with; the column is not null
    partner: { type: 'reference', label: 'Contact', target: 'partners.partner', readOnly: true },
    type: {
      type: 'select',
      label: 'Type',
      options: ['billing', 'shipping', 'other'],
      required: true,
      default: 'billing',
    },
    street: { type: 'text', label: 'Street', maxLength: 200 },
    street2: { type: 'text', label: 'Street (line 2)', maxLength: 200 },
    city: { type: 'text', label: 'City', maxLength: 100 },
    postal_code: { type: 'text', label: 'Postal code', maxLength: 20 },
    subdivision: {
      type: 'text',
      label: 'State / province',
      description: 'an ISO 3166-2 code (e.g. US-CA) or the name',
      maxLength: 100,
    },
    country: { type: 'text', label: 'Country', required: true, pattern: '^[A-Z]{2}$' },
    is_default: { type: 'boolean', label: 'Default', required: true, default: false },
  },
  display: 'city',
  layout: { list: ['type', 'street', 'postal_code', 'city', 'country', 'is_default'] },
  validate: checkCountry,
})

async function checkCountry(ctx: EntityContext, record: Readonly<Record<string, unknown>>): Promise<void> {
  const code = record.country
  if (typeof code !== 'string') return
  const known = await partnersTx(ctx.db)
    .selectFrom('countries')
    .select('code')
    .where('code', '=', code)
    .executeTakeFirst()
  if (!known)
    throw Invalid.field('country', `"${code}" is not an ISO 3166-1 country code.`, 'unknown_country')
}
