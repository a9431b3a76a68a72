import { can } from '../../access/can.ts'
import { fieldAccess } from '../../access/rules/field-access.ts'
import type { Tx } from '../../db/schema.ts'
import type { Actor } from '../../identity/authenticate.ts'
import {
  ENTITY_ACTIONS,
  type EntityDefinition,
  type EntityFieldType,
  type LayoutHints,
} from '../definition.ts'
import type { EntityModel, FieldModel } from '../model.ts'
import { labelOf } from './naming.ts'
import { storedEntities, storedEntity } from './rows.ts'
import { customPath } from './views.ts'

/**
 * What the web app needs to draw an entity for the member asking (issue 5, item 8): its fields
 * without the ones their field rules hide, which are read-only for them, how to lay the entity
 * out, its states and the actions they may use. Definitions are the same for everyone; this view
 * is not.
 */

export interface EntitySummary {
  key: string
  label: string
  plural_label: string
  resource: string
  path: string
  /** tenant-defined (records under /api/v1/custom) */
  custom: boolean
  /** the declaring module; null for custom entities */
  module: string | null
}

export interface FieldMetadataView {
  /** as the field is named in filters, sorts and field rules: `custom.<key>` for a code entity's custom field */
  name: string
  type: EntityFieldType
  label: string
  description: string | null
  required: boolean
  /** the member cannot write it: computed, set by the system, or read-only by their field rules */
  read_only: boolean
  unique: boolean
  searchable: boolean
  options: string[] | null
  target: string | null
  min: number | string | null
  max: number | string | null
  min_length: number | null
  max_length: number | null
  pattern: string | null
  scale: number | null
  default: unknown
  /** tenant-defined: managed through /api/v1/meta/entities/{key}/fields */
  custom: boolean
}

export interface EntityMetadataView extends EntitySummary {
  description: string | null
  display_field: string | null
  search_fields: string[]
  default_sort: string | null
  company_scoped: boolean
  archivable: boolean
  document: { numbering: string; date_field: string | null } | null
  fields: FieldMetadataView[]
  layout: {
    sections: { label: string; fields: string[] }[]
    list: string[]
    kanban: string | null
    calendar: string | null
  }
  initial_state: string | null
  states: { key: string; label: string; locked: boolean }[]
  actions: { name: string; label: string; from: string[]; to: string; permission: string; allowed: boolean }[]
  /** the standard actions the member holds the right for */
  rights: Record<(typeof ENTITY_ACTIONS)[number], boolean>
  /** a custom entity's version, for PATCH /api/v1/meta/entities/{key}; null for code entities */
  version: number | null
}

/** A code entity of an active module, as the listing needs it. */
export interface CodeEntitySource {
  module: string
  definition: EntityDefinition
}

const NOT_LISTED = new Set<EntityFieldType>(['long_text', 'json', 'children', 'many_to_many', 'multi_select'])

/** The entities the member may read: the code entities given (those of active modules) and the custom ones. */
export async function listEntities(
  trx: Tx,
  actor: Actor,
  code: readonly CodeEntitySource[],
): Promise<EntitySummary[]> {
  const readable = (key: string) => can(actor, `${key}:read`)
  const fromCode = code
    .filter(({ definition: d }) => !d.childOf && readable(d.key))
    .map(({ module, definition: d }) => ({
      key: d.key,
      label: d.label,
      plural_label: d.pluralLabel ?? `${d.label}s`,
      resource: d.resource,
      path: `/api/v1/${d.resource}`,
      custom: false,
      module,
    }))
  const custom = (await storedEntities(trx))
    .filter((row) => readable(row.key))
    .map((row) => ({
      key: row.key,
      label: row.label,
      plural_label: row.plural_label,
      resource: row.resource,
      path: customPath(row.resource),
      custom: true,
      module: null,
    }))
  return [...fromCode, ...custom]
}

export async function entityMetadataView(
  trx: Tx,
  actor: Actor,
  model: EntityModel,
  module: string | null,
): Promise<EntityMetadataView> {
  const access = await fieldAccess(trx, actor, model.key)
  const d = model.definition
  const all = [
    ...Object.values(model.fields).map((f) => fieldView(f, f.name, model.isCustomEntity)),
    ...Object.values(model.customFields).map((f) => fieldView(f, `custom.${f.name}`, true)),
  ]
  const fields = all
    .filter((f) => !access.hidden.has(f.name))
    .map((f) => (access.readOnly.has(f.name) ? { ...f, read_only: true } : f))
  const visible = new Set(fields.map((f) => f.name))
  const workflow = model.workflow
  const display = model.display && visible.has(model.display) ? model.display : null
  // a custom entity's description and version live in its row, not in the definition
  const row = model.isCustomEntity ? await storedEntity(trx, { key: model.key }) : undefined
  return {
    key: model.key,
    label: model.label,
    plural_label: model.pluralLabel,
    resource: model.resource,
    path: model.isCustomEntity ? customPath(model.resource) : `/api/v1/${model.resource}`,
    custom: model.isCustomEntity,
    module,
    description: row?.description ?? null,
    display_field: display,
    search_fields: (d.search ?? []).filter((name) => visible.has(name)),
    default_sort: d.sort ?? null,
    company_scoped: d.companyScoped === true,
    archivable: d.archivable === true,
    document: d.document
      ? { numbering: d.document.numbering, date_field: d.document.dateField ?? null }
      : null,
    fields,
    layout: layoutOf(model, fields, display),
    initial_state: workflow?.initial ?? null,
    states: (workflow?.states ?? []).map((s) => ({
      key: s.key,
      label: s.label ?? labelOf(s.key),
      locked: s.locked === true,
    })),
    actions: (workflow?.transitions ?? []).map((t) => {
      const permission = t.permission ?? `${model.key}:${t.name}`
      return {
        name: t.name,
        label: t.label ?? labelOf(t.name),
        from: [...t.from],
        to: t.to,
        permission,
        allowed: can(actor, permission),
      }
    }),
    rights: Object.fromEntries(ENTITY_ACTIONS.map((a) => [a, can(actor, `${model.key}:${a}`)])) as Record<
      (typeof ENTITY_ACTIONS)[number],
      boolean
    >,
    version: row?.version ?? null,
  }
}

function fieldView(field: FieldModel, name: string, custom: boolean): FieldMetadataView {
  const d = field.definition
  return {
    name,
    type: d.type,
    label: d.label ?? labelOf(field.name),
    description: d.description ?? null,
    required: d.required === true,
    read_only: d.readOnly === true || d.type === 'computed',
    unique: d.unique === true,
    searchable: d.searchable === true,
    options: d.options ? [...d.options] : null,
    target: d.target ?? null,
    min: d.min ?? null,
    max: d.max ?? null,
    min_length: d.minLength ?? null,
    max_length: d.maxLength ?? null,
    pattern: d.pattern ?? null,
    scale: d.scale ?? null,
    default: typeof d.default === 'function' || d.default === undefined ? null : d.default,
    custom,
  }
}

/**
 * The layout hints, the entity's own where it has them, otherwise derived: one section of its
 * fields (and one of custom fields), the display field and five more in lists, the board by state
 * or the first select, the calendar on the first date.
 */
function layoutOf(
  model: EntityModel,
  fields: readonly FieldMetadataView[],
  display: string | null,
): EntityMetadataView['layout'] {
  const given: LayoutHints = model.definition.layout ?? {}
  const visible = new Set(fields.map((f) => f.name))
  const shown = (name: string) => visible.has(name) || ['state', 'created_at', 'updated_at'].includes(name)
  const sections = (given.sections ?? [])
    .map((s) => ({ label: s.label, fields: s.fields.filter(shown) }))
    .filter((s) => s.fields.length > 0)
  const placed = new Set(sections.flatMap((s) => s.fields))
  const own = fields.filter((f) => !f.custom || model.isCustomEntity).map((f) => f.name)
  const custom = fields.filter((f) => f.custom && !model.isCustomEntity).map((f) => f.name)
  const rest = (names: string[]) => names.filter((name) => !placed.has(name))
  if (sections.length === 0) {
    if (own.length > 0) sections.push({ label: model.label, fields: own })
  } else if (rest(own).length > 0) sections.push({ label: 'More', fields: rest(own) })
  if (rest(custom).length > 0) sections.push({ label: 'Custom fields', fields: rest(custom) })
  const scalar = fields.filter((f) => !NOT_LISTED.has(f.type) && f.name !== display).map((f) => f.name)
  const list = given.list?.filter(shown) ?? [...(display ? [display] : []), ...scalar.slice(0, 5)]
  const kanban =
    (given.kanban && shown(given.kanban) ? given.kanban : undefined) ??
    (model.workflow ? 'state' : fields.find((f) => f.type === 'select')?.name) ??
    null
  const calendar =
    (given.calendar && shown(given.calendar) ? given.calendar : undefined) ??
    fields.find((f) => f.type === 'date')?.name ??
    fields.find((f) => f.type === 'datetime')?.name ??
    null
  return { sections, list, kanban, calendar }
}
