import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { type Actor, type IdentityContext, type ModuleRegistry, withTenant } from '@tessera/kernel'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { authenticated } from './auth/actor.ts'
import { readSessionCookie } from './auth/cookie.ts'
import { entityDocument, type OpenApiDocument, withEntities } from './entities/openapi-document.ts'
import { documentedEntities } from './entities/openapi-tenant.ts'
import { ProblemSchema } from './problem.ts'

export const API_VERSION = '0.1.0'

/**
 * OpenAPI 3.1 generated from the route schemas (one schema language: TypeBox), served at
 * /api/v1/openapi.json, with the interactive reference at /api/docs. Anonymous callers get the
 * routes alone; a signed-in member gets them with the paths and schemas of every entity their
 * tenant uses and they may read, custom fields and entities included (issue 5, item 7). Entity
 * routes are hidden from the route collection (`schema.hide`), so the generator is their one source.
 */
export async function registerOpenApi(
  app: FastifyInstance,
  { identity, registry }: { identity: IdentityContext; registry: ModuleRegistry },
): Promise<void> {
  app.addSchema(ProblemSchema)
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Tessera API',
        version: API_VERSION,
        description:
          'Every error is an RFC 9457 problem (application/problem+json) with a stable `code` and, ' +
          'for invalid input, per-field `errors`. Money amounts are decimal strings; dates are ISO 8601.',
        license: { name: 'AGPL-3.0-or-later', identifier: 'AGPL-3.0-or-later' },
      },
      // relative: the document describes the server that serves it, whatever its public URL
      servers: [{ url: '/', description: 'this server' }],
      tags: [{ name: 'health', description: 'Liveness and readiness' }],
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'An access token from /api/v1/auth/login (15 minutes), or an API key (tsk_...).',
          },
          session_cookie: {
            type: 'apiKey',
            in: 'cookie',
            name: 'tessera_session',
            description:
              'The web session cookie (__Host-tessera_session over https). POST, PUT, PATCH and DELETE ' +
              'also need the X-CSRF-Token header with the csrf_token from login or /api/v1/auth/me.',
          },
        },
      },
      security: [{ bearer: [] }, { session_cookie: [] }],
    },
    // a plugin's root route answers with and without the slash: documented without (`/api/v1/members`)
    transform: ({ schema, url }) => ({ schema, url: url.length > 1 ? url.replace(/\/$/, '') : url }),
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  })
  /** The document for whoever asks: the routes, with the member's entities when signed in. */
  const documentFor = async (request: FastifyRequest, reply: FastifyReply): Promise<OpenApiDocument> => {
    // the answer depends on who asks: never from a shared cache
    reply.header('cache-control', 'private, no-store').header('vary', 'authorization, cookie')
    const base = app.swagger() as unknown as OpenApiDocument
    const actor = await memberIfSignedIn(identity, request, reply)
    if (!actor) return base
    const entities = await withTenant(identity.db, actor.tenantId, (trx) =>
      documentedEntities(trx, registry, actor),
    )
    const taken = {
      schemas: Object.keys(base.components?.schemas ?? {}),
      tags: (base.tags ?? []).map((t) => t.name),
    }
    return withEntities(base, entityDocument({ ...entities, taken }))
  }
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    staticCSP: true,
    uiConfig: { deepLinking: true },
    uiHooks: {
      // the page loads its document from ./json: the member's own, signed in by the session cookie
      onRequest: async (request, reply) => {
        if (request.routeOptions.url !== '/api/docs/json') return
        return reply.send(await documentFor(request, reply))
      },
    },
  })
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, documentFor)
}

/**
 * The member behind the request's credentials, or undefined when it sent none. A bearer token
 * that fails is refused (401) as everywhere; a stale session cookie only means anonymous, so the
 * docs page of a browser whose session ended still loads.
 */
async function memberIfSignedIn(
  identity: IdentityContext,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<Actor | undefined> {
  const bearer = request.headers.authorization !== undefined
  if (!bearer && readSessionCookie(request) === undefined) return undefined
  try {
    await authenticated(identity)(request, reply)
  } catch (err) {
    if (bearer) throw err
    return undefined
  }
  return request.actor ?? undefined
}
