import addressparser from 'nodemailer/lib/addressparser'
import { ConfigError } from '../config.ts'
import { createEmlSender } from './eml-sender.ts'
import { isEmailAddress, type MailMessage, validateMessage } from './message.ts'
import { createSmtpSender } from './smtp-sender.ts'

/** The part of a pino logger the mailer uses, so tests and callers can pass anything shaped so. */
export interface MailLog {
  info(obj: object, msg: string): void
}

export interface MailerOptions {
  /** SMTP_URL: smtp://user:pass@host:587 or smtps://…; unset means write .eml files instead */
  smtpUrl: string | undefined
  /** MAIL_FROM: `noreply@example.com` or `Tessera <noreply@example.com>` */
  from: string
  /** TESSERA_DATA_DIR: the .eml files go to its `mail/` folder */
  dataDir: string
  log: MailLog
}

export interface SentMail {
  /** the Message-ID header, angle brackets included */
  messageId: string
  /** where the message was written, when there is no SMTP server */
  file?: string
}

export interface Mailer {
  send(message: MailMessage): Promise<SentMail>
  /** Ends pooled SMTP connections once their current delivery is done. */
  close(): void
}

/** The sender address, already parsed, so nodemailer never re-reads a string it was handed. */
export interface MailSender {
  name: string
  address: string
}

/**
 * The kernel's mailer. Without SMTP_URL every message lands in a file, so a fresh install can
 * still deliver a password reset to whoever runs it, and nothing is silently dropped.
 */
export function createMailer(options: MailerOptions): Mailer {
  const from = parseFrom(options.from)
  const smtpUrl = options.smtpUrl?.trim()
  const sender = smtpUrl
    ? createSmtpSender(smtpUrl, from)
    : createEmlSender({ dataDir: options.dataDir, from, log: options.log })
  return {
    // async, so a refused message rejects the promise like any other failure instead of throwing.
    send: async (message) => sender.send(validateMessage(message)),
    close: () => sender.close(),
  }
}

function parseFrom(from: string): MailSender {
  const problem = new ConfigError(
    `MAIL_FROM must be one e-mail address, optionally with a name; got ${JSON.stringify(from)}.`,
  )
  if (/[\r\n]/.test(from)) throw problem
  const parsed = addressparser(from, { flatten: true })
  const only = parsed.length === 1 ? parsed[0] : undefined
  if (!only || !isEmailAddress(only.address)) throw problem
  return { name: only.name, address: only.address }
}
