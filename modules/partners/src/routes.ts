import { type ModuleHttpApp, type ModuleRouteContext, withTenant } from '@tessera/kernel'
import { partnersTx } from './tables.ts'

// plain JSON Schema: a module depends on the kernel only, not on the server's schema library
const Country = {
  type: 'object',
  required: ['code', 'name'],
  additionalProperties: false,
  properties: {
    code: { type: 'string', pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2', examples: ['FR'] },
    name: { type: 'string', description: 'the English name', examples: ['France'] },
  },
} as const

/** Endpoints beyond the generic entity routes: the countries an address may name. */
export async function partnersRoutes(app: ModuleHttpApp, ctx: ModuleRouteContext): Promise<void> {
  app.get(
    '/countries',
    {
      // reference data: every signed-in member of a tenant with the module active may read it
      config: {},
      schema: {
        tags: ['partners'],
        summary: 'ISO 3166-1 countries, by code',
        response: {
          200: {
            type: 'object',
            required: ['data'],
            additionalProperties: false,
            properties: { data: { type: 'array', items: Country } },
          },
        },
      },
    },
    async (request) => {
      const actor = ctx.actorOf(request)
      const data = await withTenant(ctx.db, actor.tenantId, (trx) =>
        partnersTx(trx).selectFrom('countries').select(['code', 'name']).orderBy('code').execute(),
      )
      return { data }
    },
  )
}
