import {
  bulkCreate,
  bulkUpdate,
  createRecord,
  deleteRecord,
  type EntityModel,
  entityContext,
  getRecord,
  type IdentityContext,
  Invalid,
  type ListQuery,
  listRecords,
  runAction,
  type Tx,
  updateRecord,
  withTenant,
} from '@tessera/kernel'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { actorOf } from '../auth/actor.ts'
import { idempotently, replyIdempotent } from '../idempotency.ts'
import type { ImportQueue } from '../transfer/queue.ts'
import { registerTransfer } from '../transfer/routes.ts'

/** Finds the entity a request addresses, inside its tenant transaction; 404 when there is none. */
export type ModelResolver = (trx: Tx, request: FastifyRequest) => Promise<EntityModel>

const text = (maxLength: number) => ({ type: 'string', maxLength })
const ListQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    filter: text(4000),
    sort: text(500),
    fields: text(2000),
    include: text(500),
    limit: { type: 'string', pattern: '^[0-9]{1,6}$' },
    cursor: text(4000),
    count: { type: 'string', enum: ['true', 'false'] },
    include_archived: { type: 'string', enum: ['true', 'false'] },
    q: text(200),
  },
}
const GetQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { fields: text(2000), include: text(500) },
}
const IdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', maxLength: 100 } },
}
const ActionParams = {
  type: 'object',
  required: ['id', 'action'],
  properties: { id: { type: 'string', maxLength: 100 }, action: { type: 'string', maxLength: 100 } },
}
const BulkBody = {
  type: 'object',
  required: ['records'],
  additionalProperties: false,
  properties: { records: { type: 'array' } },
}

/**
 * The generic REST routes of an entity under `path` (e.g. `/partners` in a module's plugin, or
 * `/custom/:resource`). Every handler opens the member's tenant transaction, resolves the entity
 * as the tenant defines it now, and calls the kernel's store, which checks rights, record rules,
 * field masks and company scope. The routes are hidden from the static OpenAPI document: the
 * per-tenant document describes each entity with its fields.
 */
export function registerResource(
  app: FastifyInstance,
  identity: IdentityContext,
  path: string,
  resolve: ModelResolver,
  /** a code entity's key: its routes then declare their permission, checked before the body is read */
  entityKey?: string,
  /** the job queue for large imports; without it imports run in their request */
  imports?: ImportQueue,
): void {
  const hide = { hide: true, tags: ['records'] }
  const needs = (action: string) => (entityKey ? { config: { permission: `${entityKey}:${action}` } } : {})
  const inTenant = <T>(request: FastifyRequest, run: (trx: Tx, model: EntityModel) => Promise<T>) => {
    const actor = actorOf(request)
    return withTenant(identity.db, actor.tenantId, async (trx) => run(trx, await resolve(trx, request)))
  }
  const ctxOf = (trx: Tx, request: FastifyRequest) => entityContext(trx, actorOf(request), request.id)

  app.get(path, { ...needs('read'), schema: { ...hide, querystring: ListQuerySchema } }, async (request) =>
    inTenant(request, (trx, model) => listRecords(ctxOf(trx, request), model, listQuery(request.query))),
  )
  app.post(
    path,
    { ...needs('create'), schema: { ...hide, body: { type: 'object' } } },
    async (request, reply) => {
      const outcome = await inTenant(request, (trx, model) =>
        idempotently(trx, request, actorOf(request), async () => ({
          statusCode: 201,
          body: await createRecord(ctxOf(trx, request), model, request.body),
        })),
      )
      const body = outcome.body as { id?: string; version?: number }
      if (body.id) reply.header('location', `${request.url.split('?')[0]}/${body.id}`)
      return replyIdempotent(withVersion(reply, body.version), outcome)
    },
  )
  app.post(
    `${path}/bulk`,
    { ...needs('create'), schema: { ...hide, body: BulkBody } },
    async (request, reply) => {
      const outcome = await inTenant(request, (trx, model) =>
        idempotently(trx, request, actorOf(request), async () => ({
          statusCode: 201,
          body: {
            data: await bulkCreate(
              ctxOf(trx, request),
              model,
              (request.body as { records: unknown }).records,
            ),
          },
        })),
      )
      return replyIdempotent(reply, outcome)
    },
  )
  app.patch(`${path}/bulk`, { ...needs('update'), schema: { ...hide, body: BulkBody } }, async (request) =>
    inTenant(request, async (trx, model) => ({
      data: await bulkUpdate(ctxOf(trx, request), model, (request.body as { records: unknown }).records),
    })),
  )
  app.get(
    `${path}/:id`,
    { schema: { ...hide, params: IdParams, querystring: GetQuerySchema } },
    async (request, reply) => {
      const { id } = request.params as { id: string }
      const record = await inTenant(request, (trx, model) =>
        getRecord(ctxOf(trx, request), model, id, request.query as Pick<ListQuery, 'fields' | 'include'>),
      )
      withVersion(reply, record.version)
      return record
    },
  )
  app.patch(
    `${path}/:id`,
    { schema: { ...hide, params: IdParams, body: { type: 'object' } } },
    async (request, reply) => {
      const { id } = request.params as { id: string }
      const version = ifMatch(request)
      const record = await inTenant(request, (trx, model) =>
        updateRecord(ctxOf(trx, request), model, id, request.body, version),
      )
      withVersion(reply, record.version)
      return record
    },
  )
  app.delete(
    `${path}/:id`,
    { ...needs('delete'), schema: { ...hide, params: IdParams } },
    async (request, reply) => {
      const { id } = request.params as { id: string }
      const version = ifMatch(request)
      await inTenant(request, (trx, model) => deleteRecord(ctxOf(trx, request), model, id, version))
      return reply.code(204).send()
    },
  )
  app.post(
    `${path}/:id/actions/:action`,
    { schema: { ...hide, params: ActionParams } },
    async (request, reply) => {
      const { id, action } = request.params as { id: string; action: string }
      const version = ifMatch(request)
      const outcome = await inTenant(request, (trx, model) =>
        idempotently(trx, request, actorOf(request), async () => {
          const result = await runAction(ctxOf(trx, request), model, id, action, version)
          return { statusCode: result.created ? 201 : 200, body: result.record }
        }),
      )
      return replyIdempotent(withVersion(reply, (outcome.body as { version?: number }).version), outcome)
    },
  )
  registerTransfer(app, identity, path, resolve, entityKey, imports)
}

function listQuery(query: unknown): ListQuery {
  const q = query as Record<string, string | undefined>
  return {
    ...(q.filter !== undefined ? { filter: q.filter } : {}),
    ...(q.sort !== undefined ? { sort: q.sort } : {}),
    ...(q.fields !== undefined ? { fields: q.fields } : {}),
    ...(q.include !== undefined ? { include: q.include } : {}),
    ...(q.limit !== undefined ? { limit: Number(q.limit) } : {}),
    ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
    ...(q.q !== undefined ? { q: q.q } : {}),
    count: q.count === 'true',
    include_archived: q.include_archived === 'true',
  }
}

/** `If-Match: "3"` (or W/"3", or 3): the version the client last read; absent: no check. */
function ifMatch(request: FastifyRequest): number | undefined {
  const header = request.headers['if-match']
  if (header === undefined) return undefined
  const match = /^(?:W\/)?"?([0-9]{1,9})"?$/.exec(String(header).trim())
  if (!match)
    throw Invalid.field(
      'If-Match',
      'If-Match must carry the record\'s version, e.g. "3".',
      'invalid_if_match',
    )
  return Number(match[1])
}

/** The record's version as its ETag, for the next If-Match. */
function withVersion(reply: FastifyReply, version: unknown): FastifyReply {
  if (typeof version === 'number') reply.header('etag', `"${version}"`)
  return reply
}
