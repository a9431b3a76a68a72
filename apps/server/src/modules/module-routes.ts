import { Type } from '@sinclair/typebox'
import {
  changeModule,
  type IdentityContext,
  ModuleChangeInput,
  type ModuleRegistry,
  moduleState,
  moduleStates,
  withTenant,
} from '@tessera/kernel'
import type { FastifyInstance } from 'fastify'
import { actorOf, authenticated, requires } from '../auth/actor.ts'
import { metaOf } from '../auth/auth-routes.ts'

const tags = ['modules']
const ModuleParams = Type.Object({ name: Type.String({ maxLength: 100 }) }, { additionalProperties: false })
const ModuleState = Type.Object(
  {
    name: Type.String(),
    version: Type.String(),
    description: Type.Union([Type.String(), Type.Null()]),
    dependencies: Type.Array(Type.String(), { description: 'names of the modules this one needs active' }),
    active: Type.Boolean({ description: 'active for this tenant' }),
    activated_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { additionalProperties: false },
)
const problems = { 400: { $ref: 'Problem#' }, 403: { $ref: 'Problem#' }, 404: { $ref: 'Problem#' } }

/**
 * The modules this server runs and their state in the member's tenant: /api/v1/modules. Every
 * member may read them; activating or deactivating one needs kernel.module:manage.
 */
export async function moduleRoutes(
  app: FastifyInstance,
  { identity, registry }: { identity: IdentityContext; registry: ModuleRegistry },
): Promise<void> {
  const preHandler = authenticated(identity)

  app.get(
    '/',
    {
      preHandler,
      schema: {
        tags,
        summary: 'Installed modules, each marked active or not for this tenant, in dependency order',
        response: { 200: Type.Object({ data: Type.Array(ModuleState) }) },
      },
    },
    async (request) => {
      const actor = actorOf(request)
      return { data: await withTenant(identity.db, actor.tenantId, (trx) => moduleStates(trx, registry)) }
    },
  )

  app.get(
    '/:name',
    {
      preHandler,
      schema: {
        tags,
        summary: 'One module',
        params: ModuleParams,
        response: { 200: ModuleState, ...problems },
      },
    },
    async (request) => {
      const actor = actorOf(request)
      const { name } = request.params as { name: string }
      return withTenant(identity.db, actor.tenantId, (trx) => moduleState(trx, registry, name))
    },
  )

  app.patch(
    '/:name',
    {
      onRequest: requires(identity, 'kernel.module:manage'),
      schema: {
        tags,
        summary:
          'Activate (running its seed the first time) or deactivate a module for this tenant (kernel.module:manage)',
        params: ModuleParams,
        body: ModuleChangeInput,
        response: { 200: ModuleState, ...problems, 422: { $ref: 'Problem#' } },
      },
    },
    async (request) => {
      const actor = actorOf(request)
      const { name } = request.params as { name: string }
      return withTenant(identity.db, actor.tenantId, (trx) =>
        changeModule(trx, registry, name, request.body, {
          tenantId: actor.tenantId,
          userId: actor.userId,
          meta: metaOf(request),
        }),
      )
    },
  )
}
