import { Type } from '@sinclair/typebox'
import {
  ApiKeyInput,
  can,
  createApiKey,
  type IdentityContext,
  listApiKeys,
  revokeApiKey,
} from '@tessera/kernel'
import type { FastifyInstance } from 'fastify'
import { actorOf, authenticated } from './actor.ts'
import { metaOf } from './auth-routes.ts'

const tags = ['api-keys']
const ApiKeyParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false })

/** Every member's keys are in scope for those holding kernel.api_key:manage; others, their own. */
const scopeOf = (actor: Parameters<typeof can>[0]) => (can(actor, 'kernel.api_key:manage') ? 'tenant' : 'own')

/**
 * API keys for integrations: /api/v1/api-keys. Members manage their own keys; kernel.api_key:manage
 * sees and revokes every key of the tenant. Only creation ever shows a key.
 */
export async function apiKeyRoutes(
  app: FastifyInstance,
  { identity }: { identity: IdentityContext },
): Promise<void> {
  const preHandler = authenticated(identity)

  app.post(
    '/',
    {
      preHandler,
      schema: {
        tags,
        summary:
          'Create an API key whose roles grant only rights I hold; the key is shown only in this response',
        body: ApiKeyInput,
      },
    },
    async (request, reply) => {
      const created = await createApiKey(identity, actorOf(request), request.body, metaOf(request))
      // The one response that carries a secret must not be kept by any cache on the way.
      reply.header('cache-control', 'no-store')
      return reply.code(201).send(created)
    },
  )

  app.get(
    '/',
    { preHandler, schema: { tags, summary: 'My API keys (kernel.api_key:manage: every key of the tenant)' } },
    async (request) => {
      const actor = actorOf(request)
      return { data: await listApiKeys(identity, actor, scopeOf(actor)) }
    },
  )

  app.delete(
    '/:id',
    { preHandler, schema: { tags, summary: 'Revoke an API key', params: ApiKeyParams } },
    async (request, reply) => {
      const actor = actorOf(request)
      const { id } = request.params as { id: string }
      await revokeApiKey(identity, actor, id, metaOf(request), scopeOf(actor))
      return reply.code(204).send()
    },
  )
}
