import { defineEntity } from '@tessera/kernel'

/** One classification per contact (Customer, Supplier, Prospect, …), unlike tags. */
export const categoryEntity = defineEntity({
  key: 'partners.category',
  label: 'Contact category',
  pluralLabel: 'Contact categories',
  table: 'partner_categories',
  resource: 'partner-categories',
  fields: {
    name: { type: 'text', label: 'Name', required: true, maxLength: 100, unique: true, searchable: true },
    description: { type: 'long_text', label: 'Description', maxLength: 1000 },
  },
  display: 'name',
  search: ['name'],
  sort: 'name',
  archivable: true,
  layout: { list: ['name', 'description'] },
})
