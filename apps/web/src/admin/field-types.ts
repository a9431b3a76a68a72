/** The types a tenant may give a custom field (children and computed fields need code). */
export const FIELD_TYPES = [
  'text',
  'long_text',
  'integer',
  'decimal',
  'money',
  'boolean',
  'date',
  'datetime',
  'select',
  'multi_select',
  'email',
  'phone',
  'url',
  'reference',
  'user',
]

/** "Referral source" → `referral_source`: the key an admin would type, as the API names keys. */
export const keyOf = (label: string) =>
  label
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .replace(/^([0-9])/, 'f_$1')
    .slice(0, 63)
