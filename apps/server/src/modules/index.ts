import type { IdentityContext, ModuleRegistry } from '@tessera/kernel'
import type { FastifyInstance } from 'fastify'
import type { ImportQueue } from '../transfer/queue.ts'
import { menuRoutes } from './menu-routes.ts'
import { registerModuleRoutes } from './module-gate.ts'
import { moduleRoutes } from './module-routes.ts'

/** The module registry over HTTP: /api/v1/modules, /api/v1/menus and every module's own routes. */
export async function registerModules(
  app: FastifyInstance,
  options: { identity: IdentityContext; registry: ModuleRegistry; imports?: ImportQueue },
): Promise<void> {
  await app.register(moduleRoutes, { prefix: '/api/v1/modules', ...options })
  await app.register(menuRoutes, { prefix: '/api/v1/menus', ...options })
  await registerModuleRoutes(app, options)
}
