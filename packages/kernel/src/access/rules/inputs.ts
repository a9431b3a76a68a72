import { Type } from '@sinclair/typebox'
import { FILTER_LIMITS } from '../../filters/ast.ts'
import { ENTITY_KEY } from './registry.ts'

// a role is named by its key, as memberships.roles holds it; whether such a role exists is not
// checked: a rule for a role nobody holds is inert
const RoleKey = Type.String({ pattern: '^[a-z][a-z0-9_]{1,39}$', description: 'the role key' })
const EntityKey = Type.String({
  maxLength: 103,
  pattern: ENTITY_KEY.source,
  description: 'the entity key, e.g. kernel.company or sales.order',
})
const Filter = Type.String({
  minLength: 1,
  maxLength: FILTER_LIMITS.maxLength,
  description: "a filter in the kernel's filter language, e.g. `owner_id = $user.id`",
})
const Description = Type.String({ maxLength: 500 })
const FieldName = Type.String({
  maxLength: 127,
  pattern: '^[a-z_][a-z0-9_]{0,62}(\\.[a-z_][a-z0-9_]{0,62})?$',
  description: 'a field of the entity; custom fields as custom.<key>',
})
const Access = Type.Union([Type.Literal('hidden'), Type.Literal('read_only')])

export const RecordRuleInput = Type.Object(
  { role: RoleKey, entity: EntityKey, filter: Filter, description: Type.Optional(Description) },
  { additionalProperties: false },
)

export const RecordRulePatch = Type.Object(
  {
    role: Type.Optional(RoleKey),
    entity: Type.Optional(EntityKey),
    filter: Type.Optional(Filter),
    description: Type.Optional(Type.Union([Description, Type.Null()])),
  },
  { additionalProperties: false, minProperties: 1 },
)

export const FieldRuleInput = Type.Object(
  { role: RoleKey, entity: EntityKey, field: FieldName, access: Access },
  { additionalProperties: false },
)

export const FieldRulePatch = Type.Object(
  {
    role: Type.Optional(RoleKey),
    entity: Type.Optional(EntityKey),
    field: Type.Optional(FieldName),
    access: Type.Optional(Access),
  },
  { additionalProperties: false, minProperties: 1 },
)

export const RulesQuery = Type.Object(
  { entity: Type.Optional(EntityKey), role: Type.Optional(RoleKey) },
  { additionalProperties: false },
)

export const ExplainQuery = Type.Object(
  {
    entity: EntityKey,
    id: Type.String({ format: 'uuid', description: 'the record' }),
    member: Type.String({ format: 'uuid', description: 'the member: a membership id or a user id' }),
  },
  { additionalProperties: false },
)
