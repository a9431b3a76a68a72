import { type Static, Type } from '@sinclair/typebox'
import { ENTITY_KEY } from '../../access/rules/registry.ts'
import { RESOURCE_NAME } from '../define.ts'
import { ENTITY_FIELD_TYPES, type EntityFieldType } from '../definition.ts'
import { DECIMAL_PATTERN } from '../field-types.ts'

/**
 * The inputs of the metadata API (/api/v1/meta): custom fields and custom entities. The same
 * schemas validate the route bodies and, through parse(), the kernel functions.
 */

/** A custom field's key, a custom entity's name, a state or an action: a SQL-safe identifier. */
export const CUSTOM_NAME = /^[a-z][a-z0-9_]{0,62}$/

/** The rights of custom entities, `custom.<name>:<action>`: roles may grant any of this shape. */
export const CUSTOM_ENTITY_PERMISSION = /^custom\.[a-z][a-z0-9_]{0,62}:[a-z][a-z0-9_-]{0,40}$/

/** Children need a child entity with a back reference, computed fields need code: neither is data. */
export const CUSTOM_FIELD_TYPES = ENTITY_FIELD_TYPES.filter(
  (type) => type !== 'children' && type !== 'computed',
) as Exclude<EntityFieldType, 'children' | 'computed'>[]
export type CustomFieldType = (typeof CUSTOM_FIELD_TYPES)[number]

const Name = Type.String({
  pattern: CUSTOM_NAME.source,
  description: 'lower-case letters, digits or _, starting with a letter, at most 63 characters',
})
const Label = Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' })
const Description = Type.Union([Type.String({ maxLength: 1000 }), Type.Null()])
const Bound = Type.Union([Type.Number(), Type.String({ pattern: DECIMAL_PATTERN })], {
  description: 'inclusive bound of a number; decimals as strings',
})
const Options = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
  minItems: 1,
  maxItems: 200,
  description: 'the values a select or multi_select allows',
})
const Position = Type.Integer({ minimum: 0, maximum: 100_000, description: 'order in forms' })
const Version = Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: 'the version you read' })

const fieldProperties = {
  key: Name,
  type: Type.Unsafe<CustomFieldType>({ type: 'string', enum: CUSTOM_FIELD_TYPES }),
  label: Label,
  description: Type.Optional(Description),
  required: Type.Optional(Type.Boolean({ description: 'needs a value on create; PATCH cannot clear it' })),
  unique: Type.Optional(Type.Boolean({ description: 'no two records of the tenant share a value' })),
  searchable: Type.Optional(Type.Boolean({ description: 'included in quick search' })),
  min: Type.Optional(Bound),
  max: Type.Optional(Bound),
  min_length: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
  max_length: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
  pattern: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'a regular expression the whole value matches',
    }),
  ),
  options: Type.Optional(Options),
  scale: Type.Optional(Type.Integer({ minimum: 0, maximum: 12, description: 'decimal places of a decimal' })),
  target: Type.Optional(
    Type.String({ maxLength: 103, pattern: ENTITY_KEY.source, description: 'the referenced entity key' }),
  ),
  default: Type.Optional(Type.Unknown({ description: 'the value a new record gets when none is sent' })),
  position: Type.Optional(Position),
}

export const CustomFieldInput = Type.Object(fieldProperties, { additionalProperties: false })
export type CustomFieldInput = Static<typeof CustomFieldInput>

export const CustomFieldPatch = Type.Object(
  {
    label: Type.Optional(Label),
    description: Type.Optional(Description),
    required: Type.Optional(Type.Boolean()),
    searchable: Type.Optional(Type.Boolean()),
    options: Type.Optional(Options),
    min: Type.Optional(Type.Union([Bound, Type.Null()])),
    max: Type.Optional(Type.Union([Bound, Type.Null()])),
    position: Type.Optional(Position),
    version: Type.Optional(Version),
    // accepted only to say clearly that they cannot change
    key: Type.Optional(Type.String({ maxLength: 100, description: 'cannot change' })),
    type: Type.Optional(Type.String({ maxLength: 100, description: 'cannot change' })),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type CustomFieldPatch = Static<typeof CustomFieldPatch>

const StateKey = Type.String({ pattern: CUSTOM_NAME.source })
export const WorkflowInput = Type.Object(
  {
    initial: StateKey,
    states: Type.Array(
      Type.Object(
        {
          key: StateKey,
          label: Type.Optional(Label),
          locked: Type.Optional(Type.Boolean({ description: 'records in this state refuse changes' })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 50 },
    ),
    transitions: Type.Array(
      Type.Object(
        {
          name: Name,
          label: Type.Optional(Label),
          from: Type.Array(StateKey, { minItems: 1, maxItems: 50, uniqueItems: true }),
          to: StateKey,
          permission: Type.Optional(
            Type.String({
              maxLength: 120,
              pattern: CUSTOM_ENTITY_PERMISSION.source,
              description: 'default custom.<name>:<action>',
            }),
          ),
        },
        { additionalProperties: false },
      ),
      { maxItems: 100 },
    ),
  },
  { additionalProperties: false },
)
export type WorkflowInput = Static<typeof WorkflowInput>

const LayoutSections = Type.Array(
  Type.Object(
    { label: Label, fields: Type.Array(Name, { maxItems: 200, uniqueItems: true }) },
    { additionalProperties: false },
  ),
  { maxItems: 50 },
)
const LayoutList = Type.Array(Name, { maxItems: 30, uniqueItems: true })

export const LayoutInput = Type.Object(
  {
    sections: Type.Optional(LayoutSections),
    list: Type.Optional(LayoutList),
    kanban: Type.Optional(Name),
    calendar: Type.Optional(Name),
  },
  { additionalProperties: false },
)
export type LayoutInput = Static<typeof LayoutInput>

/** PATCH: a JSON merge patch (RFC 7396) of the layout: the hints named replace, null clears one. */
export const LayoutPatch = Type.Object(
  {
    sections: Type.Optional(Type.Union([LayoutSections, Type.Null()])),
    list: Type.Optional(Type.Union([LayoutList, Type.Null()])),
    kanban: Type.Optional(Type.Union([Name, Type.Null()])),
    calendar: Type.Optional(Type.Union([Name, Type.Null()])),
  },
  {
    additionalProperties: false,
    description: 'the hints named replace the stored ones, the others stay; null clears one',
  },
)
export type LayoutPatch = Static<typeof LayoutPatch>

export const CustomEntityInput = Type.Object(
  {
    name: Type.String({
      pattern: CUSTOM_NAME.source,
      description: 'the entity is custom.<name>; lower-case letters, digits or _',
    }),
    label: Label,
    plural_label: Label,
    resource: Type.Optional(
      Type.String({
        pattern: RESOURCE_NAME.source,
        description: 'the path under /api/v1/custom/; default: the plural of the name, kebab-case',
      }),
    ),
    description: Type.Optional(Description),
    display_field: Type.Optional(Name),
    company_scoped: Type.Optional(Type.Boolean()),
    workflow: Type.Optional(Type.Union([WorkflowInput, Type.Null()])),
    layout: Type.Optional(Type.Union([LayoutInput, Type.Null()])),
    fields: Type.Optional(Type.Array(CustomFieldInput, { maxItems: 200 })),
  },
  { additionalProperties: false },
)
export type CustomEntityInput = Static<typeof CustomEntityInput>

export const CustomEntityPatch = Type.Object(
  {
    label: Type.Optional(Label),
    plural_label: Type.Optional(Label),
    description: Type.Optional(Description),
    display_field: Type.Optional(Type.Union([Name, Type.Null()])),
    workflow: Type.Optional(Type.Union([WorkflowInput, Type.Null()])),
    layout: Type.Optional(Type.Union([LayoutPatch, Type.Null()])),
    version: Type.Optional(Version),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type CustomEntityPatch = Static<typeof CustomEntityPatch>
