import { Type } from '@sinclair/typebox'
import {
  deleteExchangeRate,
  ExchangeRateInput,
  ExchangeRateQuery,
  type IdentityContext,
  listExchangeRates,
  saveExchangeRate,
  withTenant,
} from '@tessera/kernel'
import type { FastifyInstance } from 'fastify'
import { actorOf, requires } from '../auth/actor.ts'

const Id = Type.Object({ id: Type.String({ format: 'uuid' }) })

/**
 * The tenant's exchange rates (kernel money): read with kernel.exchange_rate:read, entered,
 * corrected (same pair and day) and deleted with kernel.exchange_rate:manage.
 */
export async function exchangeRateRoutes(app: FastifyInstance, { identity }: { identity: IdentityContext }) {
  app.get(
    '/',
    {
      onRequest: requires(identity, 'kernel.exchange_rate:read'),
      schema: {
        tags: ['money'],
        summary: 'Exchange rates, newest day first; of one currency with base or quote',
        querystring: ExchangeRateQuery,
      },
    },
    async (request) => {
      const actor = actorOf(request)
      return {
        data: await withTenant(identity.db, actor.tenantId, (trx) => listExchangeRates(trx, request.query)),
      }
    },
  )
  app.post(
    '/',
    {
      onRequest: requires(identity, 'kernel.exchange_rate:manage'),
      schema: {
        tags: ['money'],
        summary: 'Enter a rate: 1 base = rate quote from valid_on on (replaces the same pair and day)',
        body: ExchangeRateInput,
      },
    },
    async (request, reply) => {
      const actor = actorOf(request)
      const rate = await withTenant(identity.db, actor.tenantId, (trx) =>
        saveExchangeRate(trx, { tenantId: actor.tenantId, userId: actor.userId }, request.body),
      )
      return reply.code(201).send(rate)
    },
  )
  app.delete(
    '/:id',
    {
      onRequest: requires(identity, 'kernel.exchange_rate:manage'),
      schema: { tags: ['money'], summary: 'Delete an exchange rate', params: Id },
    },
    async (request, reply) => {
      const actor = actorOf(request)
      const { id } = request.params as { id: string }
      await withTenant(identity.db, actor.tenantId, (trx) => deleteExchangeRate(trx, id))
      return reply.code(204).send()
    },
  )
}
