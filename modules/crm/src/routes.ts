import type { ModuleHttpApp, ModuleRouteContext } from '@tessera/kernel'
import { IdParams, inTenant } from './http.ts'
import { recomputeConfidence } from './services/confidence-store.ts'
import { loadWeights, saveWeights, WeightsInput } from './services/confidence-weights.ts'
import { type Convert, ConvertInput, convertLead } from './services/convert.ts'
import { dealConfidence } from './services/deal-confidence.ts'
import { dailyFocus } from './services/focus.ts'
import { customerMemory } from './services/memory.ts'
import { partnerOverview } from './services/overview.ts'
import { pipeline } from './services/pipeline.ts'
import { requestQuote } from './services/quote-request.ts'
import { TimelineQuery, timeline } from './services/timeline.ts'

const uuid = { type: 'string', format: 'uuid' } as const
const tags = ['crm']

/** Endpoints beyond the generic entity routes (README, "CRM"), under /api/v1. */
export async function crmRoutes(app: ModuleHttpApp, route: ModuleRouteContext): Promise<void> {
  app.post(
    '/crm/opportunities/:id/convert',
    {
      config: { permission: 'crm.opportunity:update' },
      schema: {
        tags,
        summary: 'Convert a lead into an opportunity, linking or creating its contacts',
        params: IdParams,
        body: ConvertInput,
      },
    },
    async (request) => {
      const { id } = request.params as { id: string }
      return inTenant(route, request, (ctx) => convertLead(ctx, id, (request.body ?? {}) as Convert))
    },
  )
  app.post(
    '/crm/opportunities/:id/quote-request',
    {
      config: { permission: 'crm.opportunity:update' },
      schema: {
        tags,
        summary: 'Ask the sales module for a quote (event crm.opportunity.quote_requested)',
        params: IdParams,
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string }
      await inTenant(route, request, (ctx) => requestQuote(ctx, id))
      return reply.code(202).send({ requested: true })
    },
  )
  app.get(
    '/crm/opportunities/:id/confidence',
    {
      config: { permission: 'crm.opportunity:read' },
      schema: {
        tags,
        summary: "An opportunity's deal confidence (0-100) with its signed reasons",
        params: IdParams,
      },
    },
    async (request) => {
      const { id } = request.params as { id: string }
      return inTenant(route, request, (ctx) => dealConfidence(ctx, id))
    },
  )
  app.get(
    '/crm/pipeline',
    {
      config: { permission: 'crm.opportunity:read' },
      schema: {
        tags,
        summary: 'The kanban: per stage, its opportunities and totals in the company currency',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            owner: { ...uuid, description: "an owner's user id" },
            tag: { ...uuid, description: 'a tag id' },
          },
        },
      },
    },
    async (request) =>
      inTenant(route, request, (ctx) => pipeline(ctx, request.query as { owner?: string; tag?: string })),
  )
  app.get(
    '/crm/confidence-weights',
    {
      config: { permission: 'crm.settings:read' },
      schema: { tags, summary: 'The deal confidence weights of this tenant' },
    },
    async (request) => inTenant(route, request, (ctx) => loadWeights(ctx.db)),
  )
  app.put(
    '/crm/confidence-weights',
    {
      config: { permission: 'crm.settings:manage' },
      schema: {
        tags,
        summary: 'Change some confidence weights (each within its range); scores are recomputed',
        body: WeightsInput,
      },
    },
    async (request) =>
      inTenant(route, request, async (ctx) => {
        const weights = await saveWeights(ctx.db, ctx.actor, request.body as Record<string, unknown>)
        await recomputeConfidence(ctx.db, ctx.actor.tenantId)
        return weights
      }),
  )
  app.get(
    '/crm/timeline',
    {
      config: { permission: 'crm.opportunity:read' },
      schema: {
        tags,
        summary:
          'The history of an opportunity or a contact, newest first: activities, changes, stage moves, documents',
        querystring: TimelineQuery,
      },
    },
    async (request) => inTenant(route, request, (ctx) => timeline(ctx, request.query as TimelineQuery)),
  )
  app.get(
    '/crm/memory',
    {
      config: { permission: 'crm.activity:read' },
      schema: {
        tags,
        summary:
          'What to recall about a contact or an opportunity: facts from notes and a "last time" summary',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { partner: uuid, opportunity: uuid },
        },
      },
    },
    async (request) =>
      inTenant(route, request, (ctx) =>
        customerMemory(ctx, request.query as { partner?: string; opportunity?: string }),
      ),
  )
  app.get(
    '/crm/focus',
    {
      config: { permission: 'crm.activity:read' },
      schema: { tags, summary: 'My ranked missions for today, each with why and the request that does it' },
    },
    async (request) => inTenant(route, request, (ctx) => dailyFocus(ctx)),
  )
  // the 360-degree view sits on the contact's path but lives here: CRM depends on partners, not
  // the reverse, and most of the view (deals, activities, memory) is CRM's
  app.get(
    '/partners/:id/overview',
    {
      config: { permission: 'partners.partner:read' },
      schema: {
        tags: ['crm', 'partners'],
        summary:
          "A contact's 360-degree view: profile, people, deals, activities, memory, documents and more",
        params: IdParams,
      },
    },
    async (request) => {
      const { id } = request.params as { id: string }
      return inTenant(route, request, (ctx) => partnerOverview(ctx, id))
    },
  )
}
