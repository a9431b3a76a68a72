import { Type } from '@sinclair/typebox'
import {
  activeModuleNames,
  addCustomField,
  assertCan,
  CustomEntityInput,
  CustomEntityPatch,
  CustomFieldInput,
  CustomFieldPatch,
  type CustomFieldView,
  can,
  createCustomEntity,
  deleteCustomEntity,
  entityMetadataView,
  fieldAccess,
  type IdentityContext,
  isModuleActive,
  listCustomFields,
  listEntities,
  META_PERMISSION,
  type ModuleRegistry,
  NotFound,
  purgeCustomField,
  removeCustomField,
  requireModel,
  restoreCustomField,
  type Tx,
  updateCustomEntity,
  updateCustomField,
  withTenant,
} from '@tessera/kernel'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { expectedVersion, PreconditionRequired } from '../access/if-match.ts'
import { listOf, problems, writeProblems } from '../access/schemas.ts'
import { actorOf, authenticated, requires } from '../auth/actor.ts'
import { idempotently, replyIdempotent } from '../idempotency.ts'
import {
  CustomEntitySchema,
  CustomFieldSchema,
  EntityMetadataSchema,
  EntityParams,
  EntitySummarySchema,
  FieldParams,
} from './meta-schemas.ts'

export interface MetaRoutesOptions {
  identity: IdentityContext
  registry: ModuleRegistry
}

const tags = ['meta']
type KeyParams = { key: string }
type FieldKeyParams = { key: string; field: string }

/**
 * Entity metadata over HTTP (/api/v1/meta): what the web app draws entities from, and the
 * definitions a tenant changes at run time — custom fields of any entity and custom entities —
 * effective on the next request. Changes need kernel.meta:manage; reading an entity's metadata
 * needs the right to read its records.
 */
export async function metaRoutes(
  app: FastifyInstance,
  { identity, registry }: MetaRoutesOptions,
): Promise<void> {
  const db = identity.db
  const manage = requires(identity, META_PERMISSION)
  const signIn = authenticated(identity)
  // refused before the parameters are validated, like `requires`: no right, no hint whether it exists
  const readable = async (request: FastifyRequest, reply: FastifyReply) => {
    await signIn(request, reply)
    assertCan(actorOf(request), `${(request.params as KeyParams).key}:read`)
  }
  const inTenant = <T>(request: FastifyRequest, run: (trx: Tx) => Promise<T>) =>
    withTenant(db, actorOf(request).tenantId, run)

  /** A code entity counts only while its module is active in the tenant, like its routes. */
  const assertVisible = async (trx: Tx, key: string) => {
    if (key.startsWith('custom.')) return null
    const module = registry.modules.find((m) => m.entities?.some((e) => e.key === key))
    if (!module || !(await isModuleActive(trx, module.name)))
      throw NotFound.field('entity', `There is no entity "${key}".`)
    return module.name
  }

  app.get(
    '/entities',
    {
      preHandler: signIn,
      schema: {
        tags,
        summary: 'The entities whose records I may read: code entities of active modules and custom ones',
        response: { 200: listOf(EntitySummarySchema), ...problems },
      },
    },
    async (request) =>
      inTenant(request, async (trx) => {
        const active = await activeModuleNames(trx)
        const code = registry.modules
          .filter((m) => active.has(m.name))
          .flatMap((m) => (m.entities ?? []).map((definition) => ({ module: m.name, definition })))
        return { data: await listEntities(trx, actorOf(request), code) }
      }),
  )

  app.post(
    '/entities',
    {
      onRequest: manage,
      schema: {
        tags,
        summary:
          'Create a custom entity, with its fields, usable at once under /api/v1/custom/{resource} (kernel.meta:manage)',
        body: CustomEntityInput,
        response: { 201: CustomEntitySchema, ...writeProblems },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request)
      const outcome = await inTenant(request, (trx) =>
        idempotently(trx, request, actor, async () => ({
          statusCode: 201,
          body: await createCustomEntity(trx, actor, request.body),
        })),
      )
      return replyIdempotent(withVersionTag(reply, outcome.body), outcome)
    },
  )

  app.get(
    '/entities/:key',
    {
      onRequest: readable,
      schema: {
        tags,
        summary:
          'An entity as the web app draws it for me: fields (without those hidden from me), layout hints, states and the actions I may use (<key>:read)',
        params: EntityParams,
        response: { 200: EntityMetadataSchema, ...problems },
      },
    },
    async (request, reply) => {
      const { key } = request.params as KeyParams
      const view = await inTenant(request, async (trx) => {
        const module = await assertVisible(trx, key)
        return entityMetadataView(trx, actorOf(request), await requireModel(trx, key), module)
      })
      withVersionTag(reply, view)
      return view
    },
  )

  app.patch(
    '/entities/:key',
    {
      onRequest: manage,
      schema: {
        tags,
        summary:
          'Change a custom entity: labels, description, display field, workflow, layout; If-Match or version: its version (kernel.meta:manage)',
        params: EntityParams,
        body: CustomEntityPatch,
        response: { 200: CustomEntitySchema, ...writeProblems },
      },
    },
    async (request, reply) => {
      const { key } = request.params as KeyParams
      const version = versionOf(request)
      const entity = await inTenant(request, (trx) =>
        updateCustomEntity(trx, actorOf(request), key, version, request.body),
      )
      withVersionTag(reply, entity)
      return entity
    },
  )

  app.delete(
    '/entities/:key',
    {
      onRequest: manage,
      schema: {
        tags,
        summary:
          'Delete a custom entity that has no records, with its field definitions (kernel.meta:manage)',
        params: EntityParams,
        response: { 204: Type.Null(), ...writeProblems },
      },
    },
    async (request, reply) => {
      const { key } = request.params as KeyParams
      await inTenant(request, (trx) => deleteCustomEntity(trx, actorOf(request), key))
      return reply.code(204).send()
    },
  )

  app.get(
    '/entities/:key/fields',
    {
      onRequest: readable,
      schema: {
        tags,
        summary: 'The custom fields of an entity, removed ones included (<key>:read)',
        params: EntityParams,
        response: { 200: listOf(CustomFieldSchema), ...problems },
      },
    },
    async (request) => {
      const { key } = request.params as KeyParams
      const actor = actorOf(request)
      const data = await inTenant(request, async (trx) => {
        await assertVisible(trx, key)
        const fields = await listCustomFields(trx, key)
        if (can(actor, META_PERMISSION)) return fields
        // a member who does not manage definitions sees the fields their field rules show them
        const { hidden } = await fieldAccess(trx, actor, key)
        return fields.filter((f) => !hidden.has(key.startsWith('custom.') ? f.key : `custom.${f.key}`))
      })
      return { data }
    },
  )

  app.post(
    '/entities/:key/fields',
    {
      onRequest: manage,
      schema: {
        tags,
        summary: 'Add a custom field to an entity, effective on the next request (kernel.meta:manage)',
        params: EntityParams,
        body: CustomFieldInput,
        response: { 201: CustomFieldSchema, ...writeProblems },
      },
    },
    async (request, reply) => {
      const { key } = request.params as KeyParams
      const actor = actorOf(request)
      const outcome = await inTenant(request, async (trx) => {
        await assertVisible(trx, key)
        return idempotently(trx, request, actor, async () => ({
          statusCode: 201,
          body: await addCustomField(trx, actor, key, request.body),
        }))
      })
      return replyIdempotent(withVersionTag(reply, outcome.body), outcome)
    },
  )

  const fieldChange = (
    summary: string,
    change: (trx: Tx, request: FastifyRequest, p: FieldKeyParams) => Promise<CustomFieldView>,
    body?: typeof CustomFieldPatch,
  ) => ({
    options: {
      onRequest: manage,
      schema: {
        tags,
        summary,
        params: FieldParams,
        ...(body ? { body } : {}),
        response: { 200: CustomFieldSchema, ...writeProblems },
      },
    },
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      const p = request.params as FieldKeyParams
      const field = await inTenant(request, async (trx) => {
        await assertVisible(trx, p.key)
        return change(trx, request, p)
      })
      withVersionTag(reply, field)
      return field
    },
  })

  const patch = fieldChange(
    'Change a custom field: label, description, required, searchable, options, min, max, position; If-Match or version: its version (kernel.meta:manage)',
    (trx, request, p) => {
      const version = versionOf(request)
      return updateCustomField(trx, actorOf(request), p.key, p.field, version, request.body)
    },
    CustomFieldPatch,
  )
  app.patch('/entities/:key/fields/:field', patch.options, patch.handler)

  const remove = fieldChange(
    'Remove a custom field: hidden everywhere, its values kept in the records until purged (kernel.meta:manage)',
    (trx, request, p) => removeCustomField(trx, actorOf(request), p.key, p.field),
  )
  app.delete('/entities/:key/fields/:field', remove.options, remove.handler)

  const restore = fieldChange(
    'Restore a removed custom field with the values its records kept (kernel.meta:manage)',
    (trx, request, p) => restoreCustomField(trx, actorOf(request), p.key, p.field),
  )
  app.post('/entities/:key/fields/:field/restore', restore.options, restore.handler)

  app.post(
    '/entities/:key/fields/:field/purge',
    {
      onRequest: manage,
      schema: {
        tags,
        summary:
          'Delete a removed custom field and erase its values from every record, for good (kernel.meta:manage)',
        params: FieldParams,
        response: { 204: Type.Null(), ...writeProblems },
      },
    },
    async (request, reply) => {
      const p = request.params as FieldKeyParams
      await inTenant(request, async (trx) => {
        await assertVisible(trx, p.key)
        await purgeCustomField(trx, actorOf(request), p.key, p.field)
      })
      return reply.code(204).send()
    },
  )
}

/** The version a change expects: If-Match, else `version` in the body; 428 without either. */
function versionOf(request: FastifyRequest): number {
  if (request.headers['if-match'] !== undefined) return expectedVersion(request)
  const version = (request.body as { version?: number } | undefined)?.version
  if (version !== undefined) return version
  throw new PreconditionRequired(
    'Send If-Match (or version in the body) with the version you read, so that nobody else’s change is overwritten.',
  )
}

/** The ETag of a definition is its version, for the next If-Match. */
function withVersionTag(reply: FastifyReply, body: unknown): FastifyReply {
  const version = (body as { version?: unknown } | null)?.version
  if (typeof version === 'number') reply.header('etag', `"${version}"`)
  return reply
}
