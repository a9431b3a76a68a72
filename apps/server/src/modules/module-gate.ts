import {
  type Actor,
  assertCan,
  dependenciesOf,
  type IdentityContext,
  isModuleActive,
  KERNEL_PERMISSIONS,
  loadModel,
  type ModuleManifest,
  type ModuleRegistry,
  Unauthorized,
  withTenant,
} from '@tessera/kernel'
import type { FastifyInstance } from 'fastify'
import { actorOf, authenticated } from '../auth/actor.ts'
import { registerResource } from '../entities/resource-routes.ts'
import type { ImportQueue } from '../transfer/queue.ts'
import './http-types.ts'

const actorOfRequest = (request: { actor?: Actor | null }): Actor => {
  if (!request.actor) throw new Unauthorized()
  return request.actor
}

/**
 * Registers each enabled module's routes under /api/v1, each module in its own encapsulated
 * plugin whose onRequest hook signs the member in, answers exactly like an unknown route when
 * the member's tenant has not activated the module, and then refuses (403) a member lacking the
 * permission the route declares in `config.permission`. onRequest runs before the body is read
 * and validated, so a deactivated module's route reveals nothing, not even its body schema.
 */
export async function registerModuleRoutes(
  app: FastifyInstance,
  {
    identity,
    registry,
    imports,
  }: { identity: IdentityContext; registry: ModuleRegistry; imports?: ImportQueue },
): Promise<void> {
  for (const m of registry.modules) {
    if (m.routes || m.entities?.length)
      await app.register(modulePlugin(identity, m, imports), { prefix: '/api/v1' })
  }
}

const isKernelPermission = (permission: string) => KERNEL_PERMISSIONS.some((p) => p.permission === permission)

function modulePlugin(identity: IdentityContext, m: ModuleManifest, imports?: ImportQueue) {
  const signIn = authenticated(identity)
  const declared = new Set([
    ...(m.permissions ?? []),
    ...dependenciesOf(m).flatMap((d) => d.permissions ?? []),
  ])
  return async (scope: FastifyInstance) => {
    // a typo in a route's permission would lock everyone but `*` holders out: refuse to start
    scope.addHook('onRoute', (route) => {
      const permission = route.config?.permission
      if (permission !== undefined && !declared.has(permission) && !isKernelPermission(permission)) {
        throw new Error(
          `Route ${route.method} ${route.url} of module "${m.name}" needs "${permission}", which neither "${m.name}", its dependencies nor the kernel declare.`,
        )
      }
    })
    scope.addHook('onRequest', async (request, reply) => {
      await signIn(request, reply)
      const { tenantId, activeModules } = actorOf(request)
      // asked on every request (read with the credentials when it can be), so a deactivation takes
      // effect on the very next one
      const active = activeModules
        ? activeModules.includes(m.name)
        : await withTenant(identity.db, tenantId, (trx) => isModuleActive(trx, m.name))
      if (!active) {
        reply.callNotFound()
        return reply
      }
      const permission = request.routeOptions.config.permission
      if (permission !== undefined) assertCan(actorOf(request), permission)
    })
    await m.routes?.(scope, { module: m.name, db: identity.db, actorOf: actorOfRequest })
    for (const entity of m.entities ?? []) {
      if (entity.childOf) continue
      registerResource(
        scope,
        identity,
        `/${entity.resource}`,
        async (trx) => {
          const model = await loadModel(trx, entity.key)
          if (!model) throw new Error(`entities: ${entity.key} is registered but has no model`)
          return model
        },
        entity.key,
        imports,
      )
    }
  }
}
