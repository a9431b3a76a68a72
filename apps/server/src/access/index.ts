import { type IdentityContext, type ModuleRegistry, permissionCatalogue } from '@tessera/kernel'
import type { FastifyInstance } from 'fastify'
import { companiesRoutes } from './companies-routes.ts'
import { membersRoutes } from './members-routes.ts'
import { rolesRoutes } from './roles-routes.ts'

export { registeredRoutes, trackRoutes } from './route-catalogue.ts'

/** Roles and permissions, members and companies over HTTP. */
export async function registerAccess(
  app: FastifyInstance,
  { identity, registry }: { identity: IdentityContext; registry: ModuleRegistry },
): Promise<void> {
  const catalogue = permissionCatalogue(registry.modules)
  await app.register(rolesRoutes, { prefix: '/api/v1', identity, catalogue })
  await app.register(membersRoutes, { prefix: '/api/v1/members', identity })
  await app.register(companiesRoutes, { prefix: '/api/v1/companies', identity })
}
