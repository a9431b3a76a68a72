import { type TSchema, Type } from '@sinclair/typebox'
import { CUSTOM_NAME, ENTITY_FIELD_TYPES, ENTITY_KEY } from '@tessera/kernel'

/** Parameters and response shapes of the metadata routes (/api/v1/meta), for validation and docs. */

const Timestamp = Type.String({ format: 'date-time' })
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])
const Bound = Nullable(Type.Union([Type.Number(), Type.String()]))
const Closed = { additionalProperties: false }

export const EntityParams = Type.Object(
  { key: Type.String({ maxLength: 103, pattern: ENTITY_KEY.source, description: 'the entity key' }) },
  Closed,
)
export const FieldParams = Type.Object(
  {
    key: EntityParams.properties.key,
    field: Type.String({ pattern: CUSTOM_NAME.source, description: 'the custom field key' }),
  },
  Closed,
)

export const EntitySummarySchema = Type.Object(
  {
    key: Type.String(),
    label: Type.String(),
    plural_label: Type.String(),
    resource: Type.String(),
    path: Type.String({ description: 'where its records are, e.g. /api/v1/custom/patients' }),
    custom: Type.Boolean({ description: 'tenant-defined' }),
    module: Nullable(Type.String({ description: 'the declaring module; null for custom entities' })),
  },
  Closed,
)

export const CustomFieldSchema = Type.Object(
  {
    key: Type.String(),
    entity: Type.String(),
    type: Type.String(),
    label: Type.String(),
    description: Nullable(Type.String()),
    required: Type.Boolean(),
    unique: Type.Boolean(),
    searchable: Type.Boolean(),
    min: Bound,
    max: Bound,
    min_length: Nullable(Type.Integer()),
    max_length: Nullable(Type.Integer()),
    pattern: Nullable(Type.String()),
    options: Nullable(Type.Array(Type.String())),
    scale: Nullable(Type.Integer()),
    target: Nullable(Type.String()),
    default: Type.Unknown({ description: 'null: none' }),
    position: Type.Integer(),
    removed_at: Nullable(
      Type.String({ format: 'date-time', description: 'removed: data kept until purged' }),
    ),
    version: Type.Integer(),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  Closed,
)

const WorkflowSchema = Type.Object(
  {
    initial: Type.String(),
    states: Type.Array(
      Type.Object({ key: Type.String(), label: Nullable(Type.String()), locked: Type.Boolean() }, Closed),
    ),
    transitions: Type.Array(
      Type.Object(
        {
          name: Type.String(),
          label: Nullable(Type.String()),
          from: Type.Array(Type.String()),
          to: Type.String(),
          permission: Type.String(),
        },
        Closed,
      ),
    ),
  },
  Closed,
)

const LayoutSchema = Type.Object(
  {
    sections: Type.Optional(
      Type.Array(Type.Object({ label: Type.String(), fields: Type.Array(Type.String()) }, Closed)),
    ),
    list: Type.Optional(Type.Array(Type.String())),
    kanban: Type.Optional(Type.String()),
    calendar: Type.Optional(Type.String()),
  },
  Closed,
)

export const CustomEntitySchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    key: Type.String({ description: 'custom.<name>' }),
    name: Type.String(),
    resource: Type.String(),
    path: Type.String(),
    label: Type.String(),
    plural_label: Type.String(),
    description: Nullable(Type.String()),
    display_field: Nullable(Type.String()),
    company_scoped: Type.Boolean(),
    workflow: Nullable(WorkflowSchema),
    layout: Nullable(LayoutSchema),
    version: Type.Integer(),
    created_at: Timestamp,
    updated_at: Timestamp,
    fields: Type.Array(CustomFieldSchema),
  },
  Closed,
)

const FieldMetadataSchema = Type.Object(
  {
    name: Type.String({
      description: 'as filters and field rules name it: custom.<key> for custom fields of code entities',
    }),
    type: Type.Unsafe<string>({ type: 'string', enum: [...ENTITY_FIELD_TYPES] }),
    label: Type.String(),
    description: Nullable(Type.String()),
    required: Type.Boolean(),
    read_only: Type.Boolean({ description: 'the member cannot write it' }),
    unique: Type.Boolean(),
    searchable: Type.Boolean(),
    options: Nullable(Type.Array(Type.String())),
    target: Nullable(Type.String()),
    min: Bound,
    max: Bound,
    min_length: Nullable(Type.Integer()),
    max_length: Nullable(Type.Integer()),
    pattern: Nullable(Type.String()),
    scale: Nullable(Type.Integer()),
    default: Type.Unknown(),
    custom: Type.Boolean({ description: 'tenant-defined' }),
  },
  Closed,
)

export const EntityMetadataSchema = Type.Object(
  {
    ...EntitySummarySchema.properties,
    description: Nullable(Type.String()),
    display_field: Nullable(Type.String()),
    search_fields: Type.Array(Type.String()),
    default_sort: Nullable(Type.String()),
    company_scoped: Type.Boolean(),
    archivable: Type.Boolean(),
    document: Nullable(
      Type.Object({ numbering: Type.String(), date_field: Nullable(Type.String()) }, Closed),
    ),
    fields: Type.Array(FieldMetadataSchema, { description: 'without the fields hidden from the member' }),
    layout: Type.Object(
      {
        sections: Type.Array(
          Type.Object({ label: Type.String(), fields: Type.Array(Type.String()) }, Closed),
        ),
        list: Type.Array(Type.String(), { description: 'list columns' }),
        kanban: Nullable(Type.String({ description: 'the field a board groups by' })),
        calendar: Nullable(Type.String({ description: 'the date field a calendar shows' })),
      },
      Closed,
    ),
    initial_state: Nullable(Type.String()),
    states: Type.Array(
      Type.Object({ key: Type.String(), label: Type.String(), locked: Type.Boolean() }, Closed),
    ),
    actions: Type.Array(
      Type.Object(
        {
          name: Type.String(),
          label: Type.String(),
          from: Type.Array(Type.String()),
          to: Type.String(),
          permission: Type.String(),
          allowed: Type.Boolean({ description: 'the member holds the permission' }),
        },
        Closed,
      ),
    ),
    rights: Type.Object(
      {
        read: Type.Boolean(),
        create: Type.Boolean(),
        update: Type.Boolean(),
        delete: Type.Boolean(),
        export: Type.Boolean(),
        import: Type.Boolean(),
      },
      Closed,
    ),
    version: Nullable(Type.Integer({ description: 'a custom entity’s version, for PATCH' })),
  },
  Closed,
)
