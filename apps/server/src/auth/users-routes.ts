import { Type } from '@sinclair/typebox'
import {
  auditTx,
  BusinessRule,
  clearThrottle,
  type IdentityContext,
  NotFound,
  recordSecurityEvent,
  revokeUserSessionsIn,
  SECURITY_EVENT_ENTITY,
  type Tx,
  withTenant,
} from '@tessera/kernel'
import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { actorOf, requires } from './actor.ts'
import { metaOf } from './auth-routes.ts'

const tags = ['users']
const UserParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false })

/** The member `userId` of the current tenant, or 404 (also for another tenant's user). */
async function memberOf(trx: Tx, userId: string) {
  const member = await trx
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['m.user_id', 'm.status', 'm.roles', 'u.email'])
    .where('m.user_id', '=', userId)
    .executeTakeFirst()
  if (!member) throw new NotFound('No such member.')
  return member
}

/** Administrators' actions on members' logins (kernel.member:manage): /api/v1/users/{id}/actions/... */
export async function usersRoutes(
  app: FastifyInstance,
  { identity }: { identity: IdentityContext },
): Promise<void> {
  const options = (summary: string) => ({
    onRequest: requires(identity, 'kernel.member:manage'),
    schema: { tags, summary, params: UserParams },
  })

  app.post(
    '/:id/actions/force-logout',
    options('End every session of a member in this tenant'),
    async (request) => {
      const actor = actorOf(request)
      const { id } = request.params as { id: string }
      return withTenant(identity.db, actor.tenantId, async (trx) => {
        await memberOf(trx, id)
        const revoked = await revokeUserSessionsIn(trx, id, 'forced_by_admin')
        await recordSecurityEvent(trx, actor.tenantId, 'session.revoked', metaOf(request), {
          userId: id,
          details: { reason: 'forced_by_admin', by: actor.userId, count: revoked },
        })
        return { revoked }
      })
    },
  )

  app.post('/:id/actions/unlock', options('Lift a login lock-out'), async (request, reply) => {
    const actor = actorOf(request)
    const { id } = request.params as { id: string }
    const member = await withTenant(identity.db, actor.tenantId, async (trx) => {
      const found = await memberOf(trx, id)
      await recordSecurityEvent(trx, actor.tenantId, 'account.unlocked', metaOf(request), {
        userId: id,
        details: { by: actor.userId },
      })
      return found
    })
    await clearThrottle(identity.db, member.email.toLowerCase())
    return reply.code(204).send()
  })

  for (const [action, status] of [
    ['disable', 'disabled'],
    ['enable', 'active'],
  ] as const) {
    app.post(
      `/:id/actions/${action}`,
      options(`${action[0]?.toUpperCase()}${action.slice(1)} a member`),
      async (request) => {
        const actor = actorOf(request)
        const { id } = request.params as { id: string }
        if (id === actor.userId)
          throw new BusinessRule('cannot_change_self', 'You cannot disable or enable yourself.')
        return withTenant(identity.db, actor.tenantId, async (trx) => {
          await memberOf(trx, id)
          await trx
            .updateTable('memberships')
            .set({ status, updated_by: actor.userId, updated_at: sql`now()`, version: sql`version + 1` })
            .where('user_id', '=', id)
            .execute()
          if (status === 'disabled') await revokeUserSessionsIn(trx, id, 'member_disabled')
          await recordSecurityEvent(
            trx,
            actor.tenantId,
            status === 'disabled' ? 'member.disabled' : 'member.enabled',
            metaOf(request),
            {
              userId: id,
              details: { by: actor.userId },
            },
          )
          return { user_id: id, status }
        })
      },
    )
  }
}

/**
 * A page's last event as the next page's bound: its time to the microsecond (as stored; JSON dates
 * keep milliseconds) and its id, since one transaction's events share their time.
 */
const CURSOR =
  /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/

const EventsQuery = Type.Object(
  {
    limit: Type.Optional(
      Type.String({ pattern: '^(?:[1-9]\\d?|1\\d\\d|200)$', description: '1 to 200, default 50' }),
    ),
    before: Type.Optional(
      Type.String({ format: 'date-time', description: 'events strictly older than this time' }),
    ),
    after: Type.Optional(Type.String({ format: 'date-time', description: 'events at or after this time' })),
    cursor: Type.Optional(
      Type.String({
        pattern: CURSOR.source,
        description: 'next_cursor of the previous page: the events after it, none skipped or repeated',
      }),
    ),
    user_id: Type.Optional(Type.String({ format: 'uuid' })),
    type: Type.Optional(Type.String({ pattern: '^[a-z_.]{1,50}$' })),
  },
  { additionalProperties: false },
)

/** The security log (kernel.security_event:read): GET /api/v1/security-events. */
export async function securityEventsRoutes(
  app: FastifyInstance,
  { identity }: { identity: IdentityContext },
) {
  app.get(
    '/',
    {
      onRequest: requires(identity, 'kernel.security_event:read'),
      schema: {
        tags: ['security'],
        summary: 'Security events of this tenant, newest first',
        querystring: EventsQuery,
      },
    },
    async (request) => {
      const actor = actorOf(request)
      const q = request.query as {
        limit?: string
        before?: string
        after?: string
        user_id?: string
        type?: string
        cursor?: string
      }
      const limit = q.limit ? Number(q.limit) : 50
      const [, cursorAt, cursorId] = q.cursor?.match(CURSOR) ?? []
      const rows = await withTenant(identity.db, actor.tenantId, (trx) => {
        let query = auditTx(trx)
          .selectFrom('security_events as e')
          // the request id is kept on the event's audit row (recordSecurityEvent writes both)
          .leftJoin('audit_log as a', (join) =>
            join
              .onRef('a.tenant_id', '=', 'e.tenant_id')
              .onRef('a.record_id', '=', 'e.id')
              .on('a.entity', '=', SECURITY_EVENT_ENTITY),
          )
          .select([
            'e.id',
            'e.type',
            'e.user_id',
            'e.api_key_id',
            'e.ip',
            'e.user_agent',
            'e.details',
            'a.request_id',
            'e.created_at',
            sql<string>`to_char(e.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('at'),
          ])
          .orderBy('e.created_at', 'desc')
          .orderBy('e.id', 'desc')
          .limit(limit)
        if (q.before) query = query.where('e.created_at', '<', new Date(q.before))
        if (q.after) query = query.where('e.created_at', '>=', new Date(q.after))
        if (q.user_id) query = query.where('e.user_id', '=', q.user_id)
        if (q.type) query = query.where('e.type', '=', q.type)
        if (cursorAt && cursorId)
          query = query.where(
            sql<boolean>`(e.created_at, e.id) < (${cursorAt}::timestamptz, ${cursorId}::uuid)`,
          )
        return query.execute()
      })
      const last = rows.at(-1)
      return {
        data: rows.map(({ at: _, ...event }) => event),
        next_cursor: rows.length === limit && last ? `${last.at}_${last.id}` : null,
      }
    },
  )
}
