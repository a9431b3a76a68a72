import type { LayoutHints, WorkflowDefinition } from '../definition.ts'
import type { StoredEntity, StoredField } from './rows.ts'

/** Custom fields and entities as the metadata API shows them: snake_case, ISO dates, nulls spelled out. */

export interface CustomFieldView {
  key: string
  entity: string
  type: string
  label: string
  description: string | null
  required: boolean
  unique: boolean
  searchable: boolean
  min: number | string | null
  max: number | string | null
  min_length: number | null
  max_length: number | null
  pattern: string | null
  options: string[] | null
  scale: number | null
  target: string | null
  /** null: none */
  default: unknown
  position: number
  /** removed fields keep their data (and their key) until purged */
  removed_at: string | null
  version: number
  created_at: string
  updated_at: string
}

export interface WorkflowView {
  initial: string
  states: { key: string; label: string | null; locked: boolean }[]
  transitions: { name: string; label: string | null; from: string[]; to: string; permission: string }[]
}

export interface LayoutView {
  sections?: { label: string; fields: string[] }[]
  list?: string[]
  kanban?: string
  calendar?: string
}

export interface CustomEntityView {
  id: string
  key: string
  name: string
  resource: string
  path: string
  label: string
  plural_label: string
  description: string | null
  display_field: string | null
  company_scoped: boolean
  workflow: WorkflowView | null
  layout: LayoutView | null
  version: number
  created_at: string
  updated_at: string
  fields: CustomFieldView[]
}

const iso = (date: Date | string) => new Date(date).toISOString()

export function fieldView(row: StoredField): CustomFieldView {
  const d = row.definition
  return {
    key: row.key,
    entity: row.entity,
    type: row.type,
    label: row.label,
    description: d.description ?? null,
    required: d.required === true,
    unique: d.unique === true,
    searchable: d.searchable === true,
    min: d.min ?? null,
    max: d.max ?? null,
    min_length: d.minLength ?? null,
    max_length: d.maxLength ?? null,
    pattern: d.pattern ?? null,
    options: d.options ? [...d.options] : null,
    scale: d.scale ?? null,
    target: d.target ?? null,
    default: d.default ?? null,
    position: row.position,
    removed_at: row.removed_at ? iso(row.removed_at) : null,
    version: row.version,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  }
}

/** The path of a custom entity's records. */
export const customPath = (resource: string) => `/api/v1/custom/${resource}`

export function workflowView(key: string, workflow: WorkflowDefinition): WorkflowView {
  return {
    initial: workflow.initial,
    states: workflow.states.map((s) => ({ key: s.key, label: s.label ?? null, locked: s.locked === true })),
    transitions: workflow.transitions.map((t) => ({
      name: t.name,
      label: t.label ?? null,
      from: [...t.from],
      to: t.to,
      permission: t.permission ?? `${key}:${t.name}`,
    })),
  }
}

export function layoutView(layout: LayoutHints): LayoutView {
  return {
    ...(layout.sections
      ? { sections: layout.sections.map((s) => ({ label: s.label, fields: [...s.fields] })) }
      : {}),
    ...(layout.list ? { list: [...layout.list] } : {}),
    ...(layout.kanban ? { kanban: layout.kanban } : {}),
    ...(layout.calendar ? { calendar: layout.calendar } : {}),
  }
}

export function entityView(row: StoredEntity, fields: readonly StoredField[]): CustomEntityView {
  return {
    id: row.id,
    key: row.key,
    name: row.key.slice('custom.'.length),
    resource: row.resource,
    path: customPath(row.resource),
    label: row.label,
    plural_label: row.plural_label,
    description: row.description,
    display_field: row.display_field,
    company_scoped: row.company_scoped,
    workflow: row.workflow ? workflowView(row.key, row.workflow) : null,
    layout: row.layout ? layoutView(row.layout) : null,
    version: row.version,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    fields: fields.map(fieldView),
  }
}
