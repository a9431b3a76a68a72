import nodemailer, { type SMTPPoolOptions } from 'nodemailer'
import { ConfigError } from '../config.ts'
import { deliveryError } from './delivery-error.ts'
import type { Mailer, MailSender } from './mailer.ts'

/** Sends through an SMTP relay over a small pool of connections, reused across messages. */
export function createSmtpSender(smtpUrl: string, from: MailSender): Mailer {
  const { options, server, secrets } = smtpSettings(smtpUrl)
  const transport = nodemailer.createTransport({ ...options, pool: true })
  return {
    async send(message) {
      try {
        const info = await transport.sendMail({ from, ...message })
        return { messageId: info.messageId }
      } catch (failure) {
        throw deliveryError(failure, server, secrets)
      }
    },
    close: () => transport.close(),
  }
}

export interface SmtpSettings {
  options: SMTPPoolOptions
  /** the server as errors name it: scheme, host and port, never the credentials */
  server: string
  /** what must never appear in an error: the password as written in the URL and decoded */
  secrets: string[]
}

/**
 * Reads SMTP_URL. nodemailer parses the URL itself, so its query parameters (e.g.
 * `?tls.rejectUnauthorized=false`) still work and override the defaults set here.
 */
export function smtpSettings(smtpUrl: string): SmtpSettings {
  let url: URL
  try {
    url = new URL(smtpUrl)
  } catch {
    // The URL is not quoted back: it may hold the password.
    throw new ConfigError('SMTP_URL must be an smtp:// or smtps:// URL.')
  }
  if ((url.protocol !== 'smtp:' && url.protocol !== 'smtps:') || !url.hostname) {
    throw new ConfigError('SMTP_URL must be an smtp:// or smtps:// URL with a host.')
  }
  const hasCredentials = url.username !== '' || url.password !== ''
  return {
    options: {
      url: smtpUrl,
      // nodemailer waits minutes by default; a relay that is down should fail a send in seconds,
      // while the person asking for a reset is still looking at the page.
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 60_000,
      // Over smtp:// nodemailer upgrades with STARTTLS only when the server offers it, so someone
      // in the path could strip the offer and read the password. With credentials, insist on TLS
      // unless the relay is on this machine. `?requireTLS=false` in the URL opts out.
      ...(url.protocol === 'smtp:' && hasCredentials && !isLoopback(url.hostname)
        ? { requireTLS: true }
        : {}),
    },
    server: `${url.protocol}//${url.host}`,
    secrets: [url.password, safeDecode(url.password)].filter(Boolean),
  }
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname)
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}
