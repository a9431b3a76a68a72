import { type IdentityContext, type ModuleRegistry, permissionCatalogue } from '@tessera/kernel'
import type { FastifyInstance } from 'fastify'
import type { Recovery } from '../auth/recovery-routes.ts'
import { companiesRoutes } from './companies-routes.ts'
import { membersRoutes } from './members-routes.ts'
import { rolesRoutes } from './roles-routes.ts'

export { registeredRoutes, trackRoutes } from './route-catalogue.ts'

export interface AccessOptions {
  identity: IdentityContext
  registry: ModuleRegistry
  /** invitations are mailed like reset links */
  mail: Recovery
  rateLimit: { max: number; timeWindow: number }
}

/** Roles and permissions, members and companies over HTTP. */
export async function registerAccess(
  app: FastifyInstance,
  { identity, registry, mail, rateLimit }: AccessOptions,
): Promise<void> {
  const catalogue = permissionCatalogue(registry.modules)
  await app.register(rolesRoutes, { prefix: '/api/v1', identity, catalogue })
  await app.register(membersRoutes, { prefix: '/api/v1/members', ...mail, rateLimit })
  await app.register(companiesRoutes, { prefix: '/api/v1/companies', identity })
}
