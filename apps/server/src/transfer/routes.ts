import { createHash } from 'node:crypto'
import multipart from '@fastify/multipart'
import {
  assertCan,
  checkIdempotencyKey,
  entityContext,
  type IdentityContext,
  IMPORT_JOB,
  type ImportReport,
  importPrepared,
  permissionOf,
  prepareImport,
  queueImport,
  readTable,
  requestHash,
  runIdempotent,
  type Tx,
  withTenant,
} from '@tessera/kernel'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { actorOf } from '../auth/actor.ts'
import type { ModelResolver } from '../entities/resource-routes.ts'
import { FORM_LIMITS } from '../files/multipart.ts'
import { callerOf, replyIdempotent } from '../idempotency.ts'
import { exportStream } from './export-stream.ts'
import { CSV_TYPE, LEGACY_CSV_TYPE, UnsupportedMediaType, XLSX_TYPE } from './media.ts'
import type { ImportQueue } from './queue.ts'
import { importFileOf } from './upload-body.ts'

const text = (maxLength: number) => ({ type: 'string', maxLength })
const ExportQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    format: { type: 'string', enum: ['csv', 'xlsx'] },
    filter: text(4000),
    sort: text(500),
    fields: text(4000),
    q: text(200),
    include_archived: { type: 'string', enum: ['true', 'false'] },
  },
}
const ImportQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    dry_run: { type: 'string', enum: ['true', 'false'] },
    async: { type: 'string', enum: ['true', 'false'] },
    mapping: text(20_000),
  },
}

/**
 * Export and import of an entity's records, next to its generic routes (called by
 * registerResource with the same arguments): GET {path}/export and POST {path}/import. With
 * `imports`, an import of more than `asyncRows` rows, or with `?async=true`, is queued as a job
 * and answered 202 with its Location (/api/v1/imports/{id}); otherwise it runs in the request.
 */
export function registerTransfer(
  app: FastifyInstance,
  identity: IdentityContext,
  path: string,
  resolve: ModelResolver,
  entityKey?: string,
  imports?: ImportQueue,
): void {
  const hide = { hide: true, tags: ['records'] }
  const needs = (action: string) => (entityKey ? { config: { permission: `${entityKey}:${action}` } } : {})

  app.get(
    `${path}/export`,
    { ...needs('export'), schema: { ...hide, querystring: ExportQuerySchema } },
    async (request, reply) => {
      const query = request.query as Record<string, string | undefined>
      const format = query.format === 'xlsx' ? 'xlsx' : 'csv'
      const { body, model } = await exportStream(
        identity.db,
        actorOf(request),
        request.id,
        (trx) => resolve(trx, request),
        format,
        {
          ...(query.filter !== undefined ? { filter: query.filter } : {}),
          ...(query.sort !== undefined ? { sort: query.sort } : {}),
          ...(query.q !== undefined ? { q: query.q } : {}),
          ...(query.fields !== undefined ? { fields: query.fields } : {}),
          include_archived: query.include_archived === 'true',
        },
        (err) => request.log.warn({ err }, 'export stopped while streaming'),
      )
      const day = new Date().toISOString().slice(0, 10)
      return reply
        .type(format === 'csv' ? `${CSV_TYPE}; charset=utf-8` : XLSX_TYPE)
        .header('content-disposition', `attachment; filename="${model.resource}-${day}.${format}"`)
        .header('cache-control', 'no-store')
        .send(body)
    },
  )

  // the file is the raw body, or the `file` part of a multipart form: only this route reads CSV
  // and XLSX bodies, and it reads nothing else
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser(
      [CSV_TYPE, LEGACY_CSV_TYPE, XLSX_TYPE],
      { parseAs: 'buffer' },
      (_request, body, done) => done(null, body),
    )
    await scope.register(multipart, { limits: FORM_LIMITS })
    scope.addContentTypeParser('*', (_request, _payload, done) => done(new UnsupportedMediaType()))
    scope.post(
      `${path}/import`,
      {
        ...needs('import'),
        // the rights before the body is read: no right, no hint about what the body should be
        onRequest: async (request) => {
          const actor = actorOf(request)
          const model = await withTenant(identity.db, actor.tenantId, (trx) => resolve(trx, request))
          for (const action of ['import', 'create']) assertCan(actor, permissionOf(model, action))
        },
        schema: { ...hide, querystring: ImportQuerySchema },
      },
      async (request, reply) => {
        const { body, format } = await importFileOf(request, scope.initialConfig.bodyLimit ?? 1_048_576)
        const query = request.query as { dry_run?: string; mapping?: string; async?: string }
        const dryRun = query.dry_run === 'true'
        const actor = actorOf(request)
        const table = await readTable(body, format)
        // a dry run answers at once; a large file, or one the client asks to, becomes a job
        const queue =
          imports && !dryRun && (query.async === 'true' || table.rows.length > imports.asyncRows)
            ? imports.jobs
            : undefined
        await queue?.prepare([IMPORT_JOB])
        const run = (trx: Tx) => async () => {
          const model = await resolve(trx, request)
          const ctx = entityContext(trx, actor, request.id)
          // rights and mapping are checked here even for a queued import: refused now, not later
          const prepared = await prepareImport(ctx, model, table, query.mapping)
          if (queue) {
            const input = { body, format, ...(query.mapping !== undefined ? { mapping: query.mapping } : {}) }
            const view = await queueImport(ctx, queue, model, input, table.rows.length)
            return { statusCode: 202, body: view }
          }
          const report: ImportReport = await importPrepared(ctx, prepared, dryRun)
          return { statusCode: dryRun ? 200 : 201, body: report }
        }
        const key = idempotencyOf(request, body)
        const outcome = await withTenant(identity.db, actor.tenantId, async (trx) =>
          key
            ? runIdempotent(trx, { caller: callerOf(actor), key: key.key, requestHash: key.hash }, run(trx))
            : { ...(await run(trx)()), replayed: false },
        )
        if (outcome.statusCode === 202)
          reply.header('location', `/api/v1/imports/${(outcome.body as { id: string }).id}`)
        return replyIdempotent(reply, outcome)
      },
    )
  })
}

/** `Idempotency-Key` on an import: the request is its URL and the file's SHA-256. */
function idempotencyOf(request: FastifyRequest, body: Buffer) {
  const header = request.headers['idempotency-key']
  if (header === undefined) return undefined
  const digest = createHash('sha256').update(body).digest('hex')
  return { key: checkIdempotencyKey(header), hash: requestHash(request.method, request.url, digest) }
}
