/**
 * The entity engine (issue 5): definitions in code (`defineEntity`) or as tenant data (custom
 * entities and fields), one model per tenant, and the generic operations every REST resource,
 * import, export and workflow goes through — with rights, record rules, field masks and company
 * scope applied inside them, so no route can forget them.
 */
import { registerEntityResolver } from '../access/rules/registry.ts'
import { loadModel } from './model.ts'

// Record and field rules may name any entity the engine knows, custom ones included.
registerEntityResolver(async (trx, key) => (await loadModel(trx, key))?.filter)

export { type EntityContext, entityContext } from './context.ts'
export * from './custom/index.ts'
export {
  type CustomEntityRow,
  type CustomFieldRow,
  customEntityDefinition,
  customEntityRow,
  customFieldRows,
  fieldOf,
} from './custom-definitions.ts'
export { defineEntity, entityPermissions, RESOURCE_NAME } from './define.ts'
export * from './definition.ts'
export { checkFieldDefinition } from './field-check.ts'
export { DECIMAL_PATTERN, filterTypeOf, isInput, valueSchema } from './field-types.ts'
export {
  type EntityModel,
  type FieldModel,
  type FieldStorage,
  loadModel,
  loadModelByResource,
} from './model.ts'
export { codeEntity, codeEntityByResource, registerEntities } from './registry.ts'
export * from './store/index.ts'
export { SYSTEM_FIELDS } from './system-fields.ts'
export { AMEND_ACTION, documentWorkflow } from './workflow/document.ts'
