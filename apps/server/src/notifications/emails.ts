import { type Db, type Mailer, sendPendingNotificationEmails } from '@tessera/kernel'
import type { FastifyInstance } from 'fastify'

/** Sends pending notification emails every 10 seconds while the app runs. */
export function startNotificationEmails(app: FastifyInstance, db: Db, mailer: Pick<Mailer, 'send'>): void {
  let running = false
  const timer = setInterval(async () => {
    if (running) return
    running = true
    try {
      await sendPendingNotificationEmails(db, mailer)
    } catch (err) {
      app.log.error({ err }, 'notification emails could not be sent')
    } finally {
      running = false
    }
  }, 10_000)
  timer.unref()
  app.addHook('onClose', async () => clearInterval(timer))
}
