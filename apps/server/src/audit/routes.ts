import { AuditQuery, type IdentityContext, listAudit, withTenant } from '@tessera/kernel'
import type { FastifyInstance } from 'fastify'
import { actorOf, requires } from '../auth/actor.ts'

/**
 * The audit trail (kernel.audit:read): GET /api/v1/audit, newest first. A record's history is the
 * same list filtered to it: `?entity=catalog.item&record=<id>`.
 */
export async function auditRoutes(app: FastifyInstance, { identity }: { identity: IdentityContext }) {
  app.get(
    '/',
    {
      onRequest: requires(identity, 'kernel.audit:read'),
      schema: {
        tags: ['audit'],
        summary: 'The audit trail of this tenant, newest first; one record’s history with entity and record',
        description:
          'Every create, update, delete, archive and workflow action, and every security event (to readers ' +
          'of the security log). Values of fields hidden from the reader are left out. Pages by `cursor`.',
        querystring: AuditQuery,
      },
    },
    async (request) => {
      const actor = actorOf(request)
      return withTenant(identity.db, actor.tenantId, (trx) => listAudit(trx, actor, request.query))
    },
  )
}
