import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import { ProblemSchema } from './problem.ts'

export const API_VERSION = '0.1.0'

/**
 * OpenAPI 3.1 generated from the route schemas (one schema language: TypeBox), served at
 * /api/v1/openapi.json, with the interactive reference at /api/docs.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
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
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  })
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    staticCSP: true,
    uiConfig: { deepLinking: true },
  })
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger())
}
