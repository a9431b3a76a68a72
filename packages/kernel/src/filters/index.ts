/**
 * The filter language shared by record rules and the REST API's `filter=` parameter:
 * `parseFilter` (text or JSON form → AST), `checkFilter` (against entity metadata),
 * `compileFilter` (→ a Kysely condition), `filterExpression` (all three).
 */
export {
  COMPARISON_OPS,
  type ComparisonOp,
  FILTER_LIMITS,
  type FilterAnd,
  type FilterCondition,
  type FilterLiteral,
  type FilterNode,
  type FilterNot,
  type FilterOperand,
  type FilterOr,
  type FilterVariable,
} from './ast.ts'
export { type CompileFilterOptions, compileFilter, filterExpression } from './compile.ts'
export { FILTER_FIELD, type FilterErrorCode } from './filter-error.ts'
export { parseFilterJson } from './json-form.ts'
export {
  type ColumnFieldMetadata,
  type CustomFieldMetadata,
  type EntityMetadata,
  FIELD_TYPES,
  type FieldMetadata,
  type FieldType,
} from './metadata.ts'
export { parseFilter } from './parse.ts'
export { parseFilterText } from './parser.ts'
export { type CheckedFilter, checkFilter, OPERATORS } from './validate.ts'
export type { FilterContext } from './variables.ts'
