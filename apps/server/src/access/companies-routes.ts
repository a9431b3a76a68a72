import {
  CompanyPatchInput,
  createAllowedCompany,
  getAllowedCompany,
  type IdentityContext,
  listAllowedCompanies,
  NewCompany,
  updateAllowedCompany,
  withTenant,
} from '@tessera/kernel'
import type { FastifyInstance } from 'fastify'
import { actorOf, requires } from '../auth/actor.ts'
import { expectedVersion, withVersionTag } from './if-match.ts'
import { CompanySchema, IdParams, listOf, problems, writeProblems } from './schemas.ts'

const tags = ['companies']

/**
 * The tenant's companies as the member sees them: only those they are allowed in (another is
 * absent: 404). /api/v1/companies
 */
export async function companiesRoutes(app: FastifyInstance, { identity }: { identity: IdentityContext }) {
  const db = identity.db

  app.get(
    '/',
    {
      onRequest: requires(identity, 'kernel.company:read'),
      schema: {
        tags,
        summary: 'The companies I am allowed in, by name (kernel.company:read)',
        response: { 200: listOf(CompanySchema), ...problems },
      },
    },
    async (request) => {
      const actor = actorOf(request)
      return { data: await withTenant(db, actor.tenantId, (trx) => listAllowedCompanies(trx, actor)) }
    },
  )

  app.get(
    '/:id',
    {
      onRequest: requires(identity, 'kernel.company:read'),
      schema: {
        tags,
        summary: 'One company I am allowed in; its ETag is its version (kernel.company:read)',
        params: IdParams,
        response: { 200: CompanySchema, ...problems },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request)
      const { id } = request.params as { id: string }
      return withVersionTag(
        reply,
        await withTenant(db, actor.tenantId, (trx) => getAllowedCompany(trx, actor, id)),
      )
    },
  )

  app.post(
    '/',
    {
      onRequest: requires(identity, 'kernel.company:create'),
      schema: {
        tags,
        summary: 'Create a company; I am allowed in it (kernel.company:create)',
        body: NewCompany,
        response: { 201: CompanySchema, ...writeProblems },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request)
      const company = await withTenant(db, actor.tenantId, (trx) =>
        createAllowedCompany(trx, actor, request.body),
      )
      return reply.code(201).send(withVersionTag(reply, company))
    },
  )

  app.patch(
    '/:id',
    {
      onRequest: requires(identity, 'kernel.company:update'),
      schema: {
        tags,
        summary:
          'Change a company I am allowed in; If-Match: its version; the currency never changes (kernel.company:update)',
        params: IdParams,
        body: CompanyPatchInput,
        response: { 200: CompanySchema, ...writeProblems },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request)
      const version = expectedVersion(request)
      const { id } = request.params as { id: string }
      const company = await withTenant(db, actor.tenantId, (trx) =>
        updateAllowedCompany(trx, actor, id, version, request.body),
      )
      return withVersionTag(reply, company)
    },
  )
}
