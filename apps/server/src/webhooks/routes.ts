import {
  createOutboundGuard,
  createWebhook,
  DeliveriesQuery,
  deleteWebhook,
  getWebhook,
  type IdentityContext,
  type Jobs,
  listDeliveries,
  listWebhooks,
  replayDelivery,
  updateWebhook,
  WEBHOOK_DELIVERY_JOB,
  WebhookInput,
  WebhookPatch,
  withTenant,
} from '@tessera/kernel'
import type { FastifyInstance } from 'fastify'
import { expectedVersion, withVersionTag } from '../access/if-match.ts'
import { listOf, problems, writeProblems } from '../access/schemas.ts'
import { actorOf, requires } from '../auth/actor.ts'
import {
  CreatedWebhookSchema,
  DeliveryPage,
  DeliveryParams,
  DeliverySchema,
  WebhookParams,
  WebhookSchema,
} from './schemas.ts'

export interface WebhookRoutesOptions {
  identity: IdentityContext
  jobs: Jobs
  /** TESSERA_OUTBOUND_ALLOW: the only exceptions to "public addresses only" */
  outboundAllow: readonly string[]
}

const tags = ['webhooks']

/**
 * /api/v1/webhooks: tenant administrators subscribe URLs to event types, read each delivery's
 * log and send a delivery again. Another tenant's webhook is a 404 (row-level security).
 */
export async function webhookRoutes(
  app: FastifyInstance,
  { identity, jobs, outboundAllow }: WebhookRoutesOptions,
) {
  const db = identity.db
  const services = { guard: createOutboundGuard({ allow: outboundAllow }), sealingKey: identity.sealingKey }

  app.get(
    '/',
    {
      onRequest: requires(identity, 'kernel.webhook:read'),
      schema: {
        tags,
        summary: 'The tenant’s webhooks (kernel.webhook:read)',
        response: { 200: listOf(WebhookSchema), ...problems },
      },
    },
    async (request) => {
      const actor = actorOf(request)
      return { data: await withTenant(db, actor.tenantId, listWebhooks) }
    },
  )

  app.post(
    '/',
    {
      onRequest: requires(identity, 'kernel.webhook:create'),
      schema: {
        tags,
        summary:
          'Subscribe a URL to event types; the signing secret is in this response only (kernel.webhook:create)',
        body: WebhookInput,
        response: { 201: CreatedWebhookSchema, ...writeProblems },
      },
    },
    async (request, reply) => {
      const created = await createWebhook(db, services, actorOf(request), request.body as WebhookInput)
      reply.header('cache-control', 'no-store')
      return reply.code(201).send(withVersionTag(reply, created))
    },
  )

  app.get(
    '/:id',
    {
      onRequest: requires(identity, 'kernel.webhook:read'),
      schema: {
        tags,
        summary: 'One webhook; its ETag is its version (kernel.webhook:read)',
        params: WebhookParams,
        response: { 200: WebhookSchema, ...problems },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request)
      const { id } = request.params as { id: string }
      return withVersionTag(reply, await withTenant(db, actor.tenantId, (trx) => getWebhook(trx, id)))
    },
  )

  app.patch(
    '/:id',
    {
      onRequest: requires(identity, 'kernel.webhook:update'),
      schema: {
        tags,
        summary: 'Change a webhook; If-Match: its version (kernel.webhook:update)',
        params: WebhookParams,
        body: WebhookPatch,
        response: { 200: WebhookSchema, ...writeProblems },
      },
    },
    async (request, reply) => {
      const version = expectedVersion(request)
      const { id } = request.params as { id: string }
      const patch = request.body as WebhookPatch
      return withVersionTag(reply, await updateWebhook(db, services, actorOf(request), id, version, patch))
    },
  )

  app.delete(
    '/:id',
    {
      onRequest: requires(identity, 'kernel.webhook:delete'),
      schema: {
        tags,
        summary: 'Delete a webhook and its delivery log (kernel.webhook:delete)',
        params: WebhookParams,
      },
    },
    async (request, reply) => {
      const actor = actorOf(request)
      const { id } = request.params as { id: string }
      await withTenant(db, actor.tenantId, (trx) => deleteWebhook(trx, id))
      return reply.code(204).send()
    },
  )

  app.get(
    '/:id/deliveries',
    {
      onRequest: requires(identity, 'kernel.webhook:read'),
      schema: {
        tags,
        summary:
          'A webhook’s deliveries, newest first: status, attempts, answer, next attempt (kernel.webhook:read)',
        params: WebhookParams,
        querystring: DeliveriesQuery,
        response: { 200: DeliveryPage, ...problems },
      },
    },
    async (request) => {
      const actor = actorOf(request)
      const { id } = request.params as { id: string }
      const query = request.query as DeliveriesQuery
      return withTenant(db, actor.tenantId, (trx) => listDeliveries(trx, id, query))
    },
  )

  app.post(
    '/:id/deliveries/:deliveryId/replay',
    {
      onRequest: requires(identity, 'kernel.webhook:update'),
      schema: {
        tags,
        summary: 'Send a delivery again now, with a fresh day of retries (kernel.webhook:update)',
        params: DeliveryParams,
        response: { 202: DeliverySchema, ...writeProblems },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request)
      const { id, deliveryId } = request.params as { id: string; deliveryId: string }
      await jobs.prepare([WEBHOOK_DELIVERY_JOB])
      const delivery = await withTenant(db, actor.tenantId, (trx) =>
        replayDelivery(trx, jobs, actor.tenantId, id, deliveryId),
      )
      return reply.code(202).send(delivery)
    },
  )
}
