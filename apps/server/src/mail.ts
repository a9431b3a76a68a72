import { createMailer, type Mailer, type MailMessage, type TesseraConfig } from '@tessera/kernel'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'

/**
 * Mail sent off the request path. A password-reset answer must not wait for the SMTP server,
 * or its timing would tell a registered address (mail sent) from an unknown one (nothing sent);
 * a relay that is down must not fail a sign-up that already committed either. Failures are
 * logged by kind, never with the message, which holds a token.
 */
export interface Outbox {
  send(message: MailMessage, kind: string): void
  /** Waits for every message handed over so far: before the mailer closes, and in tests. */
  drain(): Promise<void>
  /** the mailer behind it, for senders that track each delivery (notification emails) */
  mailer: Mailer
}

export function createOutbox(mailer: Mailer, log: FastifyBaseLogger): Outbox {
  const pending = new Set<Promise<void>>()
  return {
    send(message, kind) {
      const delivery = mailer.send(message).then(
        (sent) => log.info({ kind, messageId: sent.messageId }, 'mail sent'),
        (err: unknown) => log.error({ err, kind }, 'mail could not be sent'),
      )
      pending.add(delivery)
      void delivery.finally(() => pending.delete(delivery))
    },
    async drain() {
      await Promise.allSettled([...pending])
    },
    mailer,
  }
}

type MailConfig = Pick<TesseraConfig, 'smtpUrl' | 'mailFrom' | 'dataDir'>

/**
 * The app's outbox, over the mailer given or, by default, one from SMTP_URL (or .eml files under
 * the data folder, the log saying where) that the app closes with itself. On close, mail already
 * handed over is delivered first.
 */
export function setUpMail(app: FastifyInstance, config: MailConfig, given?: Mailer): Outbox {
  const mailer =
    given ??
    createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, dataDir: config.dataDir, log: app.log })
  const outbox = createOutbox(mailer, app.log)
  app.addHook('onClose', async () => {
    await outbox.drain()
    if (!given) mailer.close()
  })
  return outbox
}
