/** Custom fields and custom entities as tenant data, and the metadata the web app draws from. */

export { createCustomEntity, deleteCustomEntity, getCustomEntity, updateCustomEntity } from './entities.ts'
export {
  type CodeEntitySource,
  type EntityMetadataView,
  type EntitySummary,
  entityMetadataView,
  type FieldMetadataView,
  listEntities,
} from './entity-metadata.ts'
export {
  addCustomField,
  listCustomFields,
  META_PERMISSION,
  purgeCustomField,
  removeCustomField,
  requireModel,
  restoreCustomField,
  updateCustomField,
} from './fields.ts'
export { MAX_PATTERN_VALUE, patternProblem } from './pattern-safety.ts'
export {
  CUSTOM_ENTITY_PERMISSION,
  CUSTOM_FIELD_TYPES,
  CUSTOM_NAME,
  CustomEntityInput,
  CustomEntityPatch,
  CustomFieldInput,
  CustomFieldPatch,
  LayoutInput,
  WorkflowInput,
} from './schemas.ts'
export type { CustomEntityView, CustomFieldView, LayoutView, WorkflowView } from './views.ts'
