/**
 * Record rules and field-level security (issue 4, items 3, 4 and 6).
 *
 * Record rules: per role and entity, a filter in the kernel's filter language
 * (`owner_id = $user.id`, `company_id in $user.company_ids`), validated against the entity's
 * metadata when saved and compiled to bound SQL when applied. A member sees a row when any rule of
 * any of their roles allows it; a role with no rule for the entity allows every row of it.
 * Field rules: per role, entity and field, `hidden` or `read_only`; a field is hidden (read-only)
 * only when every role of the member hides (restricts) it.
 *
 * What the entity engine (issue 5) must call, for every entity, so no route can forget it:
 * 1. At start-up, `registerEntityMetadata(key, meta)` for each code-defined entity (a function
 *    of the transaction when custom fields make metadata per tenant), and once
 *    `registerEntityResolver(...)` for tenant-defined entities. Rules can only be saved for
 *    registered entities.
 * 2. Once per request, inside its `withTenant` transaction: `scopes = await
 *    loadRecordScopes(trx, actor)` and `access = await fieldAccess(trx, actor, key)`.
 * 3. Reads (list, get, count, export, search, includes): `.where(scopes.condition(meta, alias))`
 *    on the entity's table, and `scope: scopes.condition` when compiling the client's `filter=`,
 *    so a condition through a reference only reaches referenced rows the member may see. A get
 *    whose id is outside the scope answers 404, as for another tenant's id.
 * 4. The client's `filter=` and `sort=` are compiled against `visibleMetadata(meta, access)`
 *    (hidden fields unfilterable), so a filter cannot probe a value the member cannot read.
 * 5. Writes: the rows an update, delete or workflow action may touch are selected through the
 *    same condition (404 outside it), and `assertWritable(body, access)` runs before any write
 *    (403 naming the field).
 * 6. Every record leaving the server (responses, includes, exports, webhooks, audit views) passes
 *    through `maskRecord(record, access)` for the entity it belongs to.
 * `recordScope(trx, actor, key)` is step 2 and 3 in one call for a single entity.
 */
export type { RuleAuthor } from './author.ts'
export {
  type AccessExplanation,
  type ExplainedRecordRule,
  type ExplainedRole,
  type ExplainOptions,
  explainAccess,
} from './explain.ts'
export {
  assertWritable,
  combineFieldRules,
  type FieldAccess,
  fieldAccess,
  maskRecord,
  visibleMetadata,
} from './field-access.ts'
export {
  createFieldRule,
  deleteFieldRule,
  getFieldRule,
  listFieldRules,
  updateFieldRule,
} from './field-rules.ts'
export {
  ExplainQuery,
  FieldRuleInput,
  FieldRulePatch,
  RecordRuleInput,
  RecordRulePatch,
  RulesQuery,
} from './inputs.ts'
export { companyEntity, memberEntity } from './kernel-entities.ts'
export {
  checkRuleFilter,
  createRecordRule,
  deleteRecordRule,
  getRecordRule,
  listRecordRules,
  updateRecordRule,
} from './record-rules.ts'
export {
  ENTITY_KEY,
  type EntityMetadataResolver,
  type EntityMetadataSource,
  entityMetadata,
  fieldNamesOf,
  registerEntityMetadata,
  registerEntityResolver,
  registeredEntityKeys,
  requireEntity,
} from './registry.ts'
export {
  type CompiledRule,
  compileRule,
  loadRecordScopes,
  type RecordScopes,
  recordScope,
  type StoredRecordRule,
} from './scope.ts'
export type { RuleSubject } from './subject.ts'
export {
  type AccessRulesTables,
  type FieldAccessLevel,
  type FieldRulesTable,
  type MemberDirectoryView,
  type RecordRulesTable,
  rulesTx,
} from './tables.ts'
