import { Type } from '@sinclair/typebox'
import {
  getImport,
  type IdentityContext,
  IMPORT_STATUSES,
  listImports,
  MAX_IMPORT_PAGE,
  withTenant,
} from '@tessera/kernel'
import type { FastifyInstance } from 'fastify'
import { problems } from '../access/schemas.ts'
import { actorOf, authenticated } from '../auth/actor.ts'

const tags = ['imports']
const Uuid = Type.String({ format: 'uuid' })
const Timestamp = Type.String({ format: 'date-time' })
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()])

const ImportSchema = Type.Object(
  {
    id: Uuid,
    entity: Type.String({ description: 'the entity imported into, e.g. `partners.partner`' }),
    status: Type.String({ enum: [...IMPORT_STATUSES] }),
    format: Type.String({ enum: ['csv', 'xlsx'] }),
    mapping: Nullable(Type.Record(Type.String(), Nullable(Type.String()))),
    total_rows: Type.Integer({ description: 'data rows in the file' }),
    processed_rows: Type.Integer({ description: 'rows checked so far; equals total_rows when done' }),
    created_rows: Type.Integer({ description: 'records written: all rows on success, 0 on failure' }),
    invalid_rows: Type.Integer(),
    errors: Type.Array(
      Type.Object({ row: Type.Integer(), field: Type.String(), code: Type.String(), message: Type.String() }),
      { description: 'every invalid row’s problems (the first 1000); row 1 is the header' },
    ),
    errors_truncated: Type.Boolean(),
    failure: Nullable(
      Type.Object(
        { code: Type.String(), message: Type.String() },
        { description: 'why the import failed before its rows (rights gone, mapping no longer valid)' },
      ),
    ),
    created_by: Uuid,
    created_at: Timestamp,
    updated_at: Timestamp,
    started_at: Nullable(Timestamp),
    finished_at: Nullable(Timestamp),
  },
  { additionalProperties: false },
)

const ImportListQuery = Type.Object(
  {
    entity: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}\\.[a-z][a-z0-9_]{0,62}$' })),
    limit: Type.Optional(
      Type.String({ pattern: '^[0-9]{1,3}$', description: `1 to ${MAX_IMPORT_PAGE}, default 50` }),
    ),
    cursor: Type.Optional(Type.String({ format: 'uuid', description: 'next_cursor of the previous page' })),
  },
  { additionalProperties: false },
)

/**
 * Imports queued as jobs: GET /api/v1/imports/{id} (where a 202 from POST …/import points) and
 * GET /api/v1/imports. An import shows to the member who started it and to members holding its
 * entity's import right; to anyone else, as to another tenant, it does not exist (404).
 */
export async function importRoutes(app: FastifyInstance, { identity }: { identity: IdentityContext }) {
  const onRequest = authenticated(identity)

  app.get(
    '/',
    {
      onRequest,
      schema: {
        tags,
        summary: 'The imports you started or may import into, newest first',
        querystring: ImportListQuery,
        response: {
          200: Type.Object(
            { data: Type.Array(ImportSchema), next_cursor: Nullable(Type.String()) },
            { additionalProperties: false },
          ),
          ...problems,
        },
      },
    },
    async (request) => {
      const q = request.query as { entity?: string; limit?: string; cursor?: string }
      const actor = actorOf(request)
      return withTenant(identity.db, actor.tenantId, (trx) =>
        listImports(trx, actor, {
          ...(q.entity !== undefined ? { entity: q.entity } : {}),
          ...(q.limit !== undefined ? { limit: Number(q.limit) } : {}),
          ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
        }),
      )
    },
  )

  app.get(
    '/:id',
    {
      onRequest,
      schema: {
        tags,
        summary: 'An import’s status and progress (processed_rows of total_rows) and, once done, its outcome',
        description:
          'Poll until `status` is `succeeded` (every row written) or `failed` (nothing written; `errors` lists ' +
          'every invalid row, `failure` says why when the import stopped before its rows).',
        params: Type.Object({ id: Type.String({ maxLength: 100 }) }, { additionalProperties: false }),
        response: { 200: ImportSchema, ...problems },
      },
    },
    async (request) => {
      const actor = actorOf(request)
      const { id } = request.params as { id: string }
      return withTenant(identity.db, actor.tenantId, (trx) => getImport(trx, actor, id))
    },
  )
}
