import helmet from '@fastify/helmet'
import type { Database, MigrationSource, TesseraConfig } from '@tessera/kernel'
import Fastify, { type FastifyInstance } from 'fastify'
import { healthRoutes } from './health.ts'
import { registerOpenApi } from './openapi.ts'
import { registerErrorHandling } from './problem.ts'
import { requestId } from './request-id.ts'
import { registerWeb } from './web.ts'

export interface AppOptions {
  database: Database
  migrations: readonly MigrationSource[]
  config: Pick<TesseraConfig, 'bodyLimit' | 'logLevel'>
}

/**
 * Builds the HTTP application without listening, so tests drive exactly what production runs.
 * Everything a route needs arrives through plugin options: no decorators, no global state.
 */
export async function buildApp({ database, migrations, config }: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
    },
    genReqId: requestId,
    bodyLimit: config.bodyLimit,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    ajv: {
      // Bodies are validated as sent: no silent dropping of unknown fields, no type coercion.
      customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: true },
    },
  })
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })
  registerErrorHandling(app)
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: { 'img-src': ["'self'", 'data:', 'https:'], 'upgrade-insecure-requests': null },
    },
  })
  await registerOpenApi(app)
  await app.register(healthRoutes, { database, migrations })
  await registerWeb(app)
  return app
}
