import type { EntityContext } from './context.ts'

/**
 * What an entity is made of, in code (`defineEntity` in a module) or as tenant data (a custom
 * entity, a custom field). One shape for both, so every generic piece — validation, SQL, REST,
 * OpenAPI, the web app's views — reads the same definition.
 */
export const ENTITY_FIELD_TYPES = [
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
  'children',
  'many_to_many',
  'file',
  'json',
  'computed',
] as const
export type EntityFieldType = (typeof ENTITY_FIELD_TYPES)[number]

/** The types a computed field may produce. */
export type ComputedResultType = 'text' | 'integer' | 'decimal' | 'boolean' | 'date' | 'datetime'

export interface FieldDefinition {
  type: EntityFieldType
  label?: string
  description?: string
  /** must be present (and not null or empty) on create; PATCH cannot clear it */
  required?: boolean
  /** no two rows of the tenant share a value (code entities: a unique index `<table>_<column>_unique`) */
  unique?: boolean
  /** integer, decimal, money: inclusive bounds (decimals as strings) */
  min?: number | string
  max?: number | string
  /** text types: length bounds (text defaults to at most 255, long text to 100,000) */
  minLength?: number
  maxLength?: number
  /** text: a regular expression the whole value must match */
  pattern?: string
  /** select, multi_select: the allowed values */
  options?: readonly string[]
  /** decimal: digits after the point (default 6); money amounts follow their currency's minor unit */
  scale?: number
  /** reference, children, many_to_many: the target entity's key */
  target?: string
  /** children: the reference field on the child entity pointing back at the parent */
  inverse?: string
  /**
   * code entities: the SQL column (default: the field's name; a reference's or user's default is
   * `<name>_id`, a uuid column)
   */
  column?: string
  /** set by the system or by workflow actions only: a client write is refused */
  readOnly?: boolean
  /** included in full-text search and the `q=` quick search */
  searchable?: boolean
  /** the value a create gets when the field is absent */
  default?: unknown
  /** computed: the result's type and the code computing it from the record as stored */
  returns?: ComputedResultType
  compute?: (record: Readonly<Record<string, unknown>>) => unknown
}

/** One state of a workflow. */
export interface StateDefinition {
  key: string
  label?: string
  /** records in this state refuse PATCH and DELETE (a submitted document) */
  locked?: boolean
}

/**
 * A transition: `POST /{resource}/{id}/actions/{name}` moves a record from one of `from` to `to`.
 * The guard may refuse (422 with its reason); the effect runs in the same transaction, after the
 * state is written, and may change the record further (e.g. assign a number).
 */
export interface TransitionDefinition {
  name: string
  label?: string
  from: readonly string[]
  to: string
  /** default `<entity key>:<name>` */
  permission?: string
  guard?: (
    ctx: EntityContext,
    record: Readonly<Record<string, unknown>>,
  ) => Promise<string | undefined> | string | undefined
  effect?: (ctx: EntityContext, record: Readonly<Record<string, unknown>>) => Promise<void> | void
}

/** A workflow keeps its state in the standard column `state`, changed only by its transitions. */
export interface WorkflowDefinition {
  initial: string
  states: readonly StateDefinition[]
  transitions: readonly TransitionDefinition[]
}

/** Business documents (DESIGN.md): draft → submitted (numbered, locked) → cancelled, amend. */
export interface DocumentSettings {
  /** the numbering pattern, e.g. `INV/{YYYY}/{#####}`; numbers are assigned on submit */
  numbering: string
  /** the date field whose year (and month) picks the sequence; the submit date when absent */
  dateField?: string
}

/** How the web app lays the entity out; every part optional (the field order is the default). */
export interface LayoutHints {
  sections?: readonly { label: string; fields: readonly string[] }[]
  list?: readonly string[]
  kanban?: string
  calendar?: string
}

export interface EntityDefinition {
  /** `<module>.<entity>`, e.g. `partners.partner` */
  key: string
  label: string
  pluralLabel?: string
  /** the SQL table (code entities); custom entities live in `records` */
  table: string
  /** the REST path segment, plural kebab: `partners` → /api/v1/partners */
  resource: string
  fields: Readonly<Record<string, FieldDefinition>>
  /** the field naming a record in lists and references (default: the first text field) */
  display?: string
  /** fields searched by `q=` and full-text search */
  search?: readonly string[]
  /** default order, e.g. `name` or `-created_at` */
  sort?: string
  /** the row has `company_id`: visible only within the member's allowed companies */
  companyScoped?: boolean
  /** the row has `archived_at`: DELETE archives instead of deleting */
  archivable?: boolean
  /** the row has `custom jsonb` for tenant-defined fields (default true) */
  customizable?: boolean
  document?: DocumentSettings
  workflow?: WorkflowDefinition
  /** a line entity: only written through its parent's `children` field */
  childOf?: string
  layout?: LayoutHints
  /** extra business rules checked before every write (after validation, inside the transaction) */
  validate?: (
    ctx: EntityContext,
    record: Readonly<Record<string, unknown>>,
    previous: Readonly<Record<string, unknown>> | undefined,
  ) => Promise<void> | void
}

/** The standard actions every entity has, on top of its workflow's transitions. */
export const ENTITY_ACTIONS = ['read', 'create', 'update', 'delete', 'export', 'import'] as const
