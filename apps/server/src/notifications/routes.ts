import { Type } from '@sinclair/typebox'
import {
  type IdentityContext,
  listNotifications,
  type ModuleRegistry,
  markAllRead,
  markRead,
  notificationTypes,
  preferencesOf,
  setPreferences,
  unreadCount,
  withTenant,
} from '@tessera/kernel'
import type { FastifyInstance } from 'fastify'
import { actorOf, authenticated } from '../auth/actor.ts'
import { notificationStream } from './stream.ts'

const Id = Type.Object({ id: Type.String({ format: 'uuid' }) })
const ListQuery = Type.Object(
  {
    unread: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
    before: Type.Optional(Type.String({ format: 'uuid' })),
    limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$' })),
  },
  { additionalProperties: false },
)
const Preferences = Type.Object(
  {
    preferences: Type.Array(
      Type.Object(
        { type: Type.String({ maxLength: 120 }), in_app: Type.Boolean(), email: Type.Boolean() },
        { additionalProperties: false },
      ),
      { maxItems: 200 },
    ),
  },
  { additionalProperties: false },
)

/**
 * A member's own notifications: every signed-in member has an inbox, and sees only theirs (another
 * member's notification id is a 404, like another tenant's).
 */
export async function notificationRoutes(
  app: FastifyInstance,
  options: { identity: IdentityContext; registry: ModuleRegistry; pollMs?: number },
): Promise<void> {
  const { identity, registry } = options
  const signedIn = { preHandler: authenticated(identity) }
  const inTenant = <T>(
    request: Parameters<typeof actorOf>[0],
    run: (trx: Parameters<Parameters<typeof withTenant>[2]>[0], userId: string) => Promise<T>,
  ) => {
    const actor = actorOf(request)
    return withTenant(identity.db, actor.tenantId, (trx) => run(trx, actor.userId))
  }
  const types = () => notificationTypes(registry.modules)

  app.get(
    '/',
    {
      ...signedIn,
      schema: {
        tags: ['notifications'],
        summary: 'My in-app notifications, newest first',
        querystring: ListQuery,
      },
    },
    async (request) => {
      const q = request.query as { unread?: string; before?: string; limit?: string }
      const data = await inTenant(request, (trx, userId) =>
        listNotifications(trx, userId, {
          unread: q.unread === 'true',
          ...(q.before ? { before: q.before } : {}),
          ...(q.limit ? { limit: Number(q.limit) } : {}),
        }),
      )
      return { data }
    },
  )
  app.get(
    '/unread-count',
    { ...signedIn, schema: { tags: ['notifications'], summary: 'How many of my notifications are unread' } },
    async (request) => ({
      unread: await inTenant(request, unreadCount),
    }),
  )
  app.post(
    '/read-all',
    { ...signedIn, schema: { tags: ['notifications'], summary: 'Mark all my notifications read' } },
    async (request) => ({
      marked: await inTenant(request, markAllRead),
    }),
  )
  app.post(
    '/:id/read',
    {
      ...signedIn,
      schema: { tags: ['notifications'], summary: 'Mark one of my notifications read', params: Id },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string }
      await inTenant(request, (trx, userId) => markRead(trx, userId, id))
      return reply.code(204).send()
    },
  )
  app.get(
    '/preferences',
    {
      ...signedIn,
      schema: { tags: ['notifications'], summary: 'My channels (in-app, email) per notification type' },
    },
    async (request) => ({
      data: await inTenant(request, (trx, userId) => preferencesOf(trx, userId, types())),
    }),
  )
  app.put(
    '/preferences',
    {
      ...signedIn,
      schema: {
        tags: ['notifications'],
        summary: 'Choose my channels per notification type',
        body: Preferences,
      },
    },
    async (request) => {
      const { preferences } = request.body as {
        preferences: { type: string; in_app: boolean; email: boolean }[]
      }
      const data = await inTenant(request, async (trx, userId) => {
        await setPreferences(trx, userId, types(), preferences)
        return preferencesOf(trx, userId, types())
      })
      return { data }
    },
  )
  notificationStream(app, identity, options.pollMs ?? 2000)
}
