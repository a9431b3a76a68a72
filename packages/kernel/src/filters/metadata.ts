/**
 * What the filter language needs to know about an entity. The entity engine builds this from its
 * definitions (and the tenant's custom fields); access control may pass a narrower copy that leaves
 * out fields the user cannot read, so a filter cannot probe them. Every identifier here comes from
 * code or from validated metadata, never from a request: it is the only source of SQL names.
 */
export const FIELD_TYPES = [
  'text',
  'integer',
  'decimal',
  'money',
  'boolean',
  'date',
  'datetime',
  'select',
  'multi_select',
  'reference',
  'links',
  'uuid',
  'json',
] as const
export type FieldType = (typeof FIELD_TYPES)[number]

/**
 * How a value of each type is stored. In a column: text, bigint/integer, numeric, numeric,
 * boolean, date, timestamptz, text (select: one option), text[] (multi_select), uuid (reference:
 * the target's key), uuid, jsonb. In the `custom` jsonb: strings for text, select, dates and
 * uuids (ISO 8601 for dates), numbers or numeric strings, booleans, and arrays of strings for
 * multi_select.
 */
export interface FieldMetadata {
  type: FieldType
  /** the options of a select or multi_select */
  options?: readonly string[]
  /**
   * links: a many-to-many field, its target ids held in `entity_links` rows of this entity key and
   * field name (the row's `record_id` is the filtered row's key)
   */
  links?: { entity: string; field: string }
  /** the entity a reference points to; a function allows cycles (partner ↔ company) */
  target?: EntityMetadata | (() => EntityMetadata)
  /** false hides the field from filters entirely (secrets, masked fields): it reads as unknown */
  filterable?: boolean
  /**
   * Where a value kept in jsonb sits inside its column: `['amount']` under a money field's key.
   * Columns ignore it; a custom field's path starts with its key (`[key]` when absent).
   */
  path?: readonly string[]
}

/**
 * A column of the entity's table, or with `path` a value inside a jsonb column (how a custom
 * entity's fields live in `records.data`).
 */
export interface ColumnFieldMetadata extends FieldMetadata {
  /** the SQL column, snake_case */
  column: string
}

/** A tenant-defined field, stored under its key in the jsonb column `custom`. */
export type CustomFieldMetadata = FieldMetadata

export interface EntityMetadata {
  /** the entity key, e.g. `crm.deal`, used in messages */
  name: string
  /** the entity whose rights govern this one (a child entity's parent); `name` when absent */
  rightsOf?: string
  /** the SQL table; references reach it through an EXISTS subquery */
  table: string
  /** the column references point at; `id` when absent */
  key?: string
  /**
   * The tenant column, `tenant_id` on every tenant table. When both sides of a reference have one
   * it joins them too, matching the composite foreign keys (RLS filters tenants regardless).
   */
  tenantColumn?: string
  /** API name → field; names are snake_case, the same as in JSON */
  fields: Readonly<Record<string, ColumnFieldMetadata>>
  /** custom fields by key, reached as `custom.<key>` */
  customFields?: Readonly<Record<string, CustomFieldMetadata>>
  /** the jsonb column holding custom fields; `custom` when absent */
  customColumn?: string
}

/** A SQL identifier as metadata may name one: lower-case snake_case, within PostgreSQL's 63 bytes. */
export const SQL_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/

/** Metadata is code's responsibility: a bad identifier is a bug (a 500), never the client's fault. */
export function assertIdentifier(name: string, what: string): string {
  if (!SQL_IDENTIFIER.test(name))
    throw new Error(`filters: ${what} ${JSON.stringify(name)} is not a SQL identifier`)
  return name
}

export function targetOf(field: FieldMetadata): EntityMetadata | undefined {
  return typeof field.target === 'function' ? field.target() : field.target
}
