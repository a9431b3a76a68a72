import { type IdentityContext, loadModelByResource, NotFound } from '@tessera/kernel'
import type { FastifyInstance } from 'fastify'
import { authenticated } from '../auth/actor.ts'
import type { ImportQueue } from '../transfer/queue.ts'
import { registerResource } from './resource-routes.ts'

/**
 * The tenant-defined entities' REST routes, `/api/v1/custom/{resource}`: usable the moment the
 * entity is created, no restart. Under `custom/` so a tenant's resource name can never shadow a
 * module's route.
 */
export async function customEntityRoutes(
  app: FastifyInstance,
  { identity, imports }: { identity: IdentityContext; imports?: ImportQueue },
) {
  app.addHook('onRequest', authenticated(identity))
  registerResource(
    app,
    identity,
    '/custom/:resource',
    async (trx, request) => {
      const { resource } = request.params as { resource: string }
      const model = /^[a-z][a-z0-9-]{0,62}$/.test(resource)
        ? await loadModelByResource(trx, resource, true)
        : undefined
      if (!model) throw new NotFound('There is no such resource.', 'unknown_resource')
      return model
    },
    undefined,
    imports,
  )
}
