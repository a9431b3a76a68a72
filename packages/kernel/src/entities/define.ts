import { PERMISSION_PATTERN } from '../access/permissions.ts'
import { ENTITY_KEY } from '../access/rules/registry.ts'
import { SQL_IDENTIFIER } from '../filters/metadata.ts'
import type { EntityDefinition, WorkflowDefinition } from './definition.ts'
import { ENTITY_ACTIONS } from './definition.ts'
import { checkFieldDefinition } from './field-check.ts'
import { SYSTEM_FIELDS } from './system-fields.ts'
import { documentWorkflow } from './workflow/document.ts'

/** A REST path segment: plural kebab-case (`sales-orders`). */
export const RESOURCE_NAME = /^[a-z][a-z0-9-]{0,62}$/

/**
 * Checks a code entity's definition once, at import time, and fills in what follows from it (a
 * document's lifecycle). A mistake is a programming error: it stops the start with a message
 * naming the entity and the field.
 */
export function defineEntity<const D extends EntityDefinition>(definition: D): D {
  const where = `Entity "${definition.key}"`
  if (!ENTITY_KEY.test(definition.key)) throw new Error(`${where}: the key must read <module>.<entity>.`)
  if (!SQL_IDENTIFIER.test(definition.table)) throw new Error(`${where}: the table must be snake_case.`)
  if (!RESOURCE_NAME.test(definition.resource)) throw new Error(`${where}: the resource must be kebab-case.`)
  for (const [name, field] of Object.entries(definition.fields)) {
    if (!SQL_IDENTIFIER.test(name)) throw new Error(`${where}: the field name "${name}" must be snake_case.`)
    if (SYSTEM_FIELDS.has(name)) throw new Error(`${where}: "${name}" is a standard column, not a field.`)
    const problem = checkFieldDefinition(field)
    if (problem) throw new Error(`${where}, field "${name}": ${problem}`)
  }
  for (const name of [definition.display, ...(definition.search ?? [])]) {
    if (name !== undefined && !(name in definition.fields))
      throw new Error(`${where}: "${name}" names no field of it.`)
  }
  const workflow = definition.workflow ?? (definition.document ? documentWorkflow(definition.key) : undefined)
  if (workflow) checkWorkflow(where, definition.key, workflow)
  return workflow === definition.workflow ? definition : { ...definition, workflow }
}

function checkWorkflow(where: string, key: string, workflow: WorkflowDefinition): void {
  const states = new Set(workflow.states.map((s) => s.key))
  if (!states.has(workflow.initial)) throw new Error(`${where}: the initial state is not one of its states.`)
  for (const t of workflow.transitions) {
    if (!SQL_IDENTIFIER.test(t.name)) throw new Error(`${where}: the action "${t.name}" must be snake_case.`)
    if ((ENTITY_ACTIONS as readonly string[]).includes(t.name))
      throw new Error(`${where}: "${t.name}" is a standard action, not a transition.`)
    for (const s of [...t.from, t.to])
      if (!states.has(s)) throw new Error(`${where}: the action "${t.name}" names an unknown state "${s}".`)
    const permission = t.permission ?? `${key}:${t.name}`
    if (!PERMISSION_PATTERN.test(permission))
      throw new Error(`${where}: the action "${t.name}" needs an invalid permission "${permission}".`)
  }
}

/** The permissions an entity brings: its standard actions and one per transition. */
export function entityPermissions(definition: EntityDefinition): string[] {
  const transitions = (definition.workflow?.transitions ?? []).map(
    (t) => t.permission ?? `${definition.key}:${t.name}`,
  )
  return [...new Set([...ENTITY_ACTIONS.map((a) => `${definition.key}:${a}`), ...transitions])]
}
