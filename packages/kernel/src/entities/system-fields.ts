/**
 * The standard columns (DESIGN.md, data conventions) and the names a field can never take: a
 * client cannot write them through a field, and a custom field cannot shadow them.
 */
export const SYSTEM_FIELDS: ReadonlySet<string> = new Set([
  'id',
  'tenant_id',
  'entity',
  'data',
  'custom',
  'created_at',
  'updated_at',
  'created_by',
  'updated_by',
  'version',
  'archived_at',
  'company_id',
  'state',
  'number',
  'amended_from',
])

/** Standard columns a client may set: only the company of a company-scoped record, on create. */
export const WRITABLE_SYSTEM_FIELDS: ReadonlySet<string> = new Set(['company_id'])
