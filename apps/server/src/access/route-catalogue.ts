import type { FastifyInstance, RouteOptions } from 'fastify'

/** One registered route, as the route-walk test and any audit of the API need it. */
export interface RegisteredRoute {
  method: string
  url: string
  schema: RouteOptions['schema']
}

const catalogues = new WeakMap<FastifyInstance, RegisteredRoute[]>()

/**
 * Records every route registered on `app` from now on, in every plugin (an onRoute hook on the
 * root reaches them all). Call it before registering any route.
 */
export function trackRoutes(app: FastifyInstance): void {
  const routes: RegisteredRoute[] = []
  catalogues.set(app, routes)
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url, schema: route.schema })
  })
}

/** Every route registered on `app` since trackRoutes. */
export function registeredRoutes(app: FastifyInstance): readonly RegisteredRoute[] {
  return catalogues.get(app) ?? []
}
