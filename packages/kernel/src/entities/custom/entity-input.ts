import { Invalid } from '../../errors/errors.ts'
import {
  ENTITY_ACTIONS,
  type EntityFieldType,
  type LayoutHints,
  type TransitionDefinition,
  type WorkflowDefinition,
} from '../definition.ts'
import type { LayoutInput, WorkflowInput } from './schemas.ts'

/**
 * The checks of a custom entity's workflow, display field and layout: the same rules
 * defineEntity applies to code (states known, actions not standard ones), as 400s naming the
 * property at fault.
 */

/** Field types that can name a record in lists and references. */
const DISPLAY_TYPES = new Set<EntityFieldType>(['text', 'email', 'phone', 'url', 'integer', 'select', 'date'])
/** Standard columns a layout may show besides the fields. */
const LAYOUT_COLUMNS = ['created_at', 'updated_at']

/** A custom entity's fields by name, with their types. */
export type FieldTypes = ReadonlyMap<string, EntityFieldType>

export function checkWorkflow(key: string, input: WorkflowInput): WorkflowDefinition {
  const states = new Set<string>()
  input.states.forEach((state, i) => {
    if (states.has(state.key))
      throw Invalid.field(
        `workflow.states[${i}].key`,
        `The state "${state.key}" is listed twice.`,
        'duplicate',
      )
    states.add(state.key)
  })
  if (!states.has(input.initial))
    throw Invalid.field(
      'workflow.initial',
      `The initial state "${input.initial}" is not one of the states.`,
      'unknown_state',
    )
  const names = new Set<string>()
  const transitions = input.transitions.map((t, i): TransitionDefinition => {
    const at = `workflow.transitions[${i}]`
    if ((ENTITY_ACTIONS as readonly string[]).includes(t.name))
      throw Invalid.field(
        `${at}.name`,
        `"${t.name}" is a standard action, not a transition.`,
        'reserved_name',
      )
    if (names.has(t.name))
      throw Invalid.field(`${at}.name`, `The action "${t.name}" is listed twice.`, 'duplicate')
    names.add(t.name)
    t.from.forEach((s, j) => {
      if (!states.has(s))
        throw Invalid.field(`${at}.from[${j}]`, `"${s}" is not one of the states.`, 'unknown_state')
    })
    if (!states.has(t.to))
      throw Invalid.field(`${at}.to`, `"${t.to}" is not one of the states.`, 'unknown_state')
    return {
      name: t.name,
      ...(t.label ? { label: t.label.trim() } : {}),
      from: [...t.from],
      to: t.to,
      permission: t.permission ?? `${key}:${t.name}`,
    }
  })
  return {
    initial: input.initial,
    states: input.states.map((s) => ({
      key: s.key,
      ...(s.label ? { label: s.label.trim() } : {}),
      ...(s.locked ? { locked: true } : {}),
    })),
    transitions,
  }
}

export function checkDisplayField(name: string, fields: FieldTypes): void {
  const type = fields.get(name)
  if (!type)
    throw Invalid.field('display_field', `display_field: there is no field "${name}".`, 'unknown_field')
  if (!DISPLAY_TYPES.has(type))
    throw Invalid.field(
      'display_field',
      `display_field: a ${type} field cannot name records; use a text, email, phone, url, integer, select or date field.`,
      'invalid_display_field',
    )
}

/** The layout, each name checked against the fields (and `state` when there is a workflow). */
export function checkLayout(input: LayoutInput, fields: FieldTypes, hasWorkflow: boolean): LayoutHints {
  const known = (name: string, at: string) => {
    if (!fields.has(name) && !LAYOUT_COLUMNS.includes(name) && !(hasWorkflow && name === 'state'))
      throw Invalid.field(at, `${at}: there is no field "${name}".`, 'unknown_field')
  }
  for (const [i, section] of (input.sections ?? []).entries())
    for (const [j, name] of section.fields.entries()) known(name, `layout.sections[${i}].fields[${j}]`)
  for (const [i, name] of (input.list ?? []).entries()) known(name, `layout.list[${i}]`)
  if (input.kanban !== undefined) {
    const type = fields.get(input.kanban)
    if (!(hasWorkflow && input.kanban === 'state') && type !== 'select')
      throw Invalid.field(
        'layout.kanban',
        'layout.kanban: the board groups by a select field or by state.',
        'invalid_kanban',
      )
  }
  if (input.calendar !== undefined) {
    const type = fields.get(input.calendar)
    if (type !== 'date' && type !== 'datetime' && !LAYOUT_COLUMNS.includes(input.calendar))
      throw Invalid.field(
        'layout.calendar',
        'layout.calendar: the calendar needs a date or datetime field.',
        'invalid_calendar',
      )
  }
  return {
    ...(input.sections
      ? { sections: input.sections.map((s) => ({ label: s.label.trim(), fields: [...s.fields] })) }
      : {}),
    ...(input.list ? { list: [...input.list] } : {}),
    ...(input.kanban !== undefined ? { kanban: input.kanban } : {}),
    ...(input.calendar !== undefined ? { calendar: input.calendar } : {}),
  }
}
