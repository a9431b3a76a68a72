import type { IdentityContext, ModuleRegistry } from '@tessera/kernel'
import type { FastifyInstance } from 'fastify'
import type { ImportQueue } from '../transfer/queue.ts'
import { customEntityRoutes } from './custom-routes.ts'
import { metaRoutes } from './meta-routes.ts'

export interface EntityRoutesOptions {
  identity: IdentityContext
  registry: ModuleRegistry
  /** the job queue for large imports */
  imports?: ImportQueue
}

/**
 * The entity engine over HTTP: metadata (/api/v1/meta), custom entities (/api/v1/custom/…) and
 * the per-tenant OpenAPI document. Code entities' generic routes are registered with their
 * module (module-gate.ts), so a deactivated module's resources answer 404 like its other routes.
 */
export async function registerEntityRoutes(
  app: FastifyInstance,
  options: EntityRoutesOptions,
): Promise<void> {
  await app.register(customEntityRoutes, {
    prefix: '/api/v1',
    identity: options.identity,
    ...(options.imports ? { imports: options.imports } : {}),
  })
  await app.register(metaRoutes, { prefix: '/api/v1/meta', ...options })
}
