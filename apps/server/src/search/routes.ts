import { Type } from '@sinclair/typebox'
import {
  activeModuleNames,
  entityContext,
  type IdentityContext,
  MAX_SEARCH_LIMIT,
  type ModuleRegistry,
  searchRecords,
  withTenant,
} from '@tessera/kernel'
import type { FastifyInstance } from 'fastify'
import { listOf, problems } from '../access/schemas.ts'
import { actorOf, authenticated } from '../auth/actor.ts'

const SearchQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ description: 'the words to find (at most 200 characters)' })),
    limit: Type.Optional(Type.String({ description: `1 to ${MAX_SEARCH_LIMIT}, default 20` })),
  },
  { additionalProperties: false },
)

const SearchHitSchema = Type.Object(
  {
    entity: Type.String({ description: 'the entity key, e.g. `partners.partner`' }),
    entity_label: Type.String(),
    id: Type.String({ format: 'uuid' }),
    title: Type.Union([Type.String(), Type.Null()], { description: "the record's display value" }),
    field: Type.Union([Type.String(), Type.Null()], { description: 'the field the words were found in' }),
    snippet: Type.Union([Type.String(), Type.Null()], { description: 'that field’s value around the match' }),
    rank: Type.Number({ description: 'higher is better; comparable across entities' }),
    path: Type.String({ description: 'the record’s API path' }),
  },
  { additionalProperties: false },
)

/**
 * GET /api/v1/search?q=: one search box over every entity the member may read — code entities of
 * the tenant's active modules and custom entities — with their record rules, company scope and
 * field masks applied.
 */
export async function searchRoutes(
  app: FastifyInstance,
  { identity, registry }: { identity: IdentityContext; registry: ModuleRegistry },
): Promise<void> {
  app.get(
    '/',
    {
      onRequest: authenticated(identity),
      schema: {
        tags: ['search'],
        summary: 'Search the records I may read, across entities (full text, typo-tolerant names)',
        querystring: SearchQuery,
        response: { 200: listOf(SearchHitSchema), ...problems },
      },
    },
    async (request) => {
      const actor = actorOf(request)
      const { q, limit } = request.query as { q?: string; limit?: string }
      return withTenant(identity.db, actor.tenantId, async (trx) => {
        const active = await activeModuleNames(trx)
        const entities = registry.modules
          .filter((m) => active.has(m.name))
          .flatMap((m) => (m.entities ?? []).map((e) => e.key))
        const data = await searchRecords(entityContext(trx, actor, request.id), {
          q,
          limit: limit === undefined ? undefined : Number(limit),
          entities,
        })
        return { data }
      })
    },
  )
}
