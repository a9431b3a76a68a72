import { type RawBuilder, sql } from 'kysely'
import type { EntityAccess } from '../entities/store/access.ts'
import { valueSql } from '../filters/field-sql.ts'
import { type ResolvedField, resolveField } from '../filters/validate.ts'

/** A field search reads, as the member sees it. */
export interface SearchField {
  /** the API name: `name`, or `custom.<key>` for a code entity's custom field */
  name: string
  /** the value as text on the row aliased `t` */
  text: RawBuilder<unknown>
}

export interface SearchFields {
  /** the display field, when the member may see it: weight A, typo-tolerant, the hit's title */
  display: SearchField | undefined
  /** every other search field the member may see: weight B */
  others: SearchField[]
}

/** Values search can read as words: text of any kind and select options. */
const WORDY = new Set(['text', 'select'])

/**
 * The fields an entity is searched by: its display field, its declared search fields, and every
 * field (custom ones included) marked searchable. A field the member's field rules hide is
 * neither searched nor shown: it resolves against the member's visible metadata, where hidden
 * fields are unknown.
 */
export function searchFields(access: EntityAccess): SearchFields {
  const { model } = access
  const names = [
    ...(model.definition.search ?? []),
    ...Object.values(model.fields)
      .filter((f) => f.definition.searchable)
      .map((f) => f.name),
    ...Object.values(model.customFields)
      .filter((f) => f.definition.searchable)
      .map((f) => `custom.${f.name}`),
  ]
  const resolve = (name: string): SearchField | undefined => {
    const field = resolveField(name, access.visible, false)
    return field && WORDY.has(field.meta.type) ? { name, text: asText(field) } : undefined
  }
  const display = model.display ? resolve(model.display) : undefined
  const others = [...new Set(names)]
    .filter((name) => name !== model.display)
    .map(resolve)
    .filter((f): f is SearchField => f !== undefined)
  return { display, others }
}

function asText(field: ResolvedField): RawBuilder<unknown> {
  return sql`(${valueSql(field, 't')})::text`
}
