import { Type } from '@sinclair/typebox'
import { MAX_FILE_PAGE } from '@tessera/kernel'

/** Request and response shapes of /api/v1/files (validation, documentation and serialisation). */

const Timestamp = Type.String({ format: 'date-time' })
const Uuid = Type.String({ format: 'uuid' })
const UserId = Type.Union([Uuid, Type.Null()])
const Limit = Type.String({ pattern: '^[0-9]{1,6}$', description: `at most ${MAX_FILE_PAGE}` })

const EntityKey = Type.String({
  pattern: '^[a-z][a-z0-9_]{0,39}\\.[a-z][a-z0-9_]{0,62}$',
  description: 'the entity of the record, e.g. `sales.order`',
})
const FileName = Type.String({
  minLength: 1,
  maxLength: 1000,
  description:
    'the file’s name (required with a raw body; a multipart part’s filename otherwise); kept as a label only (last path segment, unsafe characters removed)',
})

export const FileParams = Type.Object({ id: Uuid }, { additionalProperties: false })

export const UploadQuery = Type.Object(
  { entity: EntityKey, record_id: Uuid, filename: Type.Optional(FileName) },
  { additionalProperties: false },
)

export const VersionUploadQuery = Type.Object(
  { filename: Type.Optional(FileName) },
  { additionalProperties: false },
)

export const FileListQuery = Type.Object(
  {
    entity: EntityKey,
    record_id: Uuid,
    limit: Type.Optional(Limit),
    cursor: Type.Optional(Type.String({ maxLength: 100 })),
    include_archived: Type.Optional(Type.String({ enum: ['true', 'false'] })),
  },
  { additionalProperties: false },
)

export const VersionListQuery = Type.Object(
  { limit: Type.Optional(Limit), cursor: Type.Optional(Type.String({ maxLength: 100 })) },
  { additionalProperties: false },
)

export const ContentQuery = Type.Object(
  {
    version: Type.Optional(
      Type.String({ pattern: '^[1-9][0-9]{0,8}$', description: 'default: the current one' }),
    ),
  },
  { additionalProperties: false },
)

export const FileSchema = Type.Object(
  {
    id: Uuid,
    entity: Type.String(),
    record_id: Uuid,
    name: Type.String(),
    current_version: Type.Integer(),
    size: Type.Integer({ description: 'of the current version, in bytes' }),
    content_type: Type.String({ description: 'sniffed from the bytes, never the type the client sent' }),
    sha256: Type.String({ description: 'of the current version, lowercase hex' }),
    created_at: Timestamp,
    created_by: UserId,
    updated_at: Timestamp,
    updated_by: UserId,
    archived_at: Type.Union([Timestamp, Type.Null()]),
  },
  { additionalProperties: false },
)

export const FileVersionSchema = Type.Object(
  {
    file_id: Uuid,
    version: Type.Integer(),
    name: Type.String(),
    size: Type.Integer(),
    content_type: Type.String(),
    sha256: Type.String(),
    created_at: Timestamp,
    created_by: UserId,
  },
  { additionalProperties: false },
)

export const pageOf = <T extends Parameters<typeof Type.Array>[0]>(item: T) =>
  Type.Object(
    { data: Type.Array(item), next_cursor: Type.Union([Type.String(), Type.Null()]) },
    { additionalProperties: false },
  )

/**
 * The two forms of an upload, for the OpenAPI document. Neither constrains the body: a raw body is
 * a stream (of any type; only these two are documented), and a form's parts are read by the route.
 */
export const UploadBody = {
  content: {
    'application/octet-stream': {
      schema: {
        format: 'binary',
        description: 'the file itself, with `?filename=` naming it; any Content-Type',
      },
    },
    'multipart/form-data': {
      schema: {
        properties: {
          file: { type: 'string', format: 'binary', description: 'the file; the part’s filename names it' },
        },
      },
    },
  },
}
