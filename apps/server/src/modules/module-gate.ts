import {
  type Actor,
  type IdentityContext,
  isModuleActive,
  type ModuleManifest,
  type ModuleRegistry,
  Unauthorized,
  withTenant,
} from '@tessera/kernel'
import type { FastifyInstance } from 'fastify'
import { actorOf, authenticated } from '../auth/actor.ts'
import './http-types.ts'

const actorOfRequest = (request: { actor?: Actor | null }): Actor => {
  if (!request.actor) throw new Unauthorized()
  return request.actor
}

/**
 * Registers each enabled module's routes under /api/v1, each module in its own encapsulated
 * plugin whose onRequest hook signs the member in and answers exactly like an unknown route when
 * the member's tenant has not activated the module. onRequest runs before the body is read and
 * validated, so a deactivated module's route reveals nothing, not even its body schema.
 */
export async function registerModuleRoutes(
  app: FastifyInstance,
  { identity, registry }: { identity: IdentityContext; registry: ModuleRegistry },
): Promise<void> {
  for (const m of registry.modules) {
    if (m.routes) await app.register(modulePlugin(identity, m), { prefix: '/api/v1' })
  }
}

function modulePlugin(identity: IdentityContext, m: ModuleManifest) {
  const signIn = authenticated(identity)
  return async (scope: FastifyInstance) => {
    scope.addHook('onRequest', async (request, reply) => {
      await signIn(request, reply)
      const { tenantId } = actorOf(request)
      // asked on every request, so a deactivation takes effect on the very next one
      const active = await withTenant(identity.db, tenantId, (trx) => isModuleActive(trx, m.name))
      if (!active) {
        reply.callNotFound()
        return reply
      }
    })
    await m.routes?.(scope, { module: m.name, db: identity.db, actorOf: actorOfRequest })
  }
}
