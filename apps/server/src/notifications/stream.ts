import { type IdentityContext, listNotifications, unreadCount, withTenant } from '@tessera/kernel'
import type { FastifyInstance } from 'fastify'
import { actorOf, authenticated } from '../auth/actor.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * GET /api/v1/notifications/stream: Server-Sent Events. New notifications arrive as `notification`
 * events (id = the notification's id, so a reconnecting browser's Last-Event-ID resumes where it
 * left off) and the unread count as `unread`. The stream polls the member's inbox: notifications
 * are written by any process (a worker, another API node), so the database is the one place that
 * sees them all.
 */
export function notificationStream(app: FastifyInstance, identity: IdentityContext, pollMs: number): void {
  const open = new Set<() => void>()
  app.addHook('onClose', async () => {
    for (const end of open) end()
  })
  app.get(
    '/stream',
    {
      preHandler: authenticated(identity),
      schema: { tags: ['notifications'], summary: 'My notifications, live (text/event-stream)' },
    },
    async (request, reply) => {
      const actor = actorOf(request)
      const read = <T>(fn: Parameters<typeof withTenant<T>>[2]) => withTenant(identity.db, actor.tenantId, fn)
      const resume = request.headers['last-event-id']
      let last =
        typeof resume === 'string' && UUID.test(resume)
          ? resume
          : (await read((trx) => listNotifications(trx, actor.userId, { limit: 1 })))[0]?.id
      reply.hijack()
      const res = reply.raw
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      })
      let unread = -1
      let busy = false
      const tick = async () => {
        if (busy) return
        busy = true
        try {
          const fresh = await read((trx) =>
            listNotifications(trx, actor.userId, last ? { after: last, limit: 50 } : { limit: 50 }),
          )
          for (const n of fresh.reverse()) {
            res.write(`id: ${n.id}\nevent: notification\ndata: ${JSON.stringify(n)}\n\n`)
            last = n.id
          }
          const count = await read((trx) => unreadCount(trx, actor.userId))
          if (count !== unread) res.write(`event: unread\ndata: ${JSON.stringify({ unread: count })}\n\n`)
          unread = count
        } catch (err) {
          request.log.warn({ err }, 'notification stream poll failed')
        } finally {
          busy = false
        }
      }
      const timer = setInterval(tick, pollMs)
      const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000)
      const end = () => {
        clearInterval(timer)
        clearInterval(heartbeat)
        open.delete(end)
        res.end()
      }
      open.add(end)
      request.raw.on('close', end)
      await tick()
    },
  )
}
