import { type EntityContext, entityContext, type ModuleRouteContext, withTenant } from '@tessera/kernel'

type Request = { actor?: Parameters<ModuleRouteContext['actorOf']>[0]['actor']; id?: string }

/** Runs `fn` in the request's tenant transaction with the member's entity context. */
export function inTenant<T>(
  route: ModuleRouteContext,
  request: Request,
  fn: (ctx: EntityContext) => Promise<T>,
): Promise<T> {
  const actor = route.actorOf(request)
  return withTenant(route.db, actor.tenantId, (trx) => fn(entityContext(trx, actor, request.id)))
}

export const IdParams = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: { type: 'string', format: 'uuid' } },
} as const
