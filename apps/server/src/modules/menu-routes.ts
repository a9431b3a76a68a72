import {
  activeModuleNames,
  buildMenuTree,
  can,
  type IdentityContext,
  kernelMenus,
  type ModuleRegistry,
  withTenant,
} from '@tessera/kernel'
import type { FastifyInstance } from 'fastify'
import { actorOf, authenticated } from '../auth/actor.ts'

/**
 * The member's navigation: GET /api/v1/menus. The kernel's entries and those of the modules
 * active in the member's tenant, without the entries the member has no right to see.
 */
export async function menuRoutes(
  app: FastifyInstance,
  { identity, registry }: { identity: IdentityContext; registry: ModuleRegistry },
): Promise<void> {
  app.get(
    '/',
    {
      preHandler: authenticated(identity),
      schema: {
        tags: ['menus'],
        summary:
          'The menu tree of the current member: {data: [{id, label, path, icon, order, module, children}]}',
      },
    },
    async (request) => {
      const actor = actorOf(request)
      const active = await withTenant(identity.db, actor.tenantId, activeModuleNames)
      const sources = [
        { module: 'kernel', entries: kernelMenus },
        ...registry.modules
          .filter((m) => active.has(m.name))
          .map((m) => ({ module: m.name, entries: m.menus ?? [] })),
      ]
      return { data: buildMenuTree(sources, (permission) => can(actor, permission)) }
    },
  )
}
