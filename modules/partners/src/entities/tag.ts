import { defineEntity } from '@tessera/kernel'

/** A free label on contacts (VIP, Newsletter, …); a contact has any number of them. */
export const tagEntity = defineEntity({
  key: 'partners.tag',
  label: 'Contact tag',
  table: 'partner_tags',
  resource: 'partner-tags',
  fields: {
    name: { type: 'text', label: 'Name', required: true, maxLength: 60, unique: true, searchable: true },
    color: { type: 'text', label: 'Color', description: 'as #rrggbb', pattern: '^#[0-9a-f]{6}$' },
  },
  display: 'name',
  search: ['name'],
  sort: 'name',
  archivable: true,
  layout: { list: ['name', 'color'] },
})
