import { randomBytes } from 'node:crypto'
import { chmod, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import nodemailer from 'nodemailer'
import type { Mailer, MailLog, MailSender } from './mailer.ts'

export interface EmlSenderOptions {
  dataDir: string
  from: MailSender
  log: MailLog
}

/**
 * Writes each message to `<dataDir>/mail/` as an RFC 5322 .eml file, which any mail client opens.
 * nodemailer builds it exactly as it would for SMTP, so what lands on disk is what a relay would
 * have received. The folder and files are private to the owner: messages carry reset tokens.
 */
export function createEmlSender({ dataDir, from, log }: EmlSenderOptions): Mailer {
  const folder = join(dataDir, 'mail')
  // CRLF line ends, as RFC 5322 requires of a message.
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' })
  return {
    async send(message) {
      const info = await transport.sendMail({ from, ...message })
      if (!Buffer.isBuffer(info.message)) throw new Error('nodemailer returned a stream, not a buffer.')
      await mkdir(folder, { recursive: true, mode: 0o700 })
      // mkdir leaves an existing folder as it was, and its mode is subject to the umask.
      await chmod(folder, 0o700)
      const file = join(folder, emlFileName(new Date()))
      // 'wx' so a name clash fails instead of overwriting another message.
      await writeFile(file, info.message, { mode: 0o600, flag: 'wx' })
      // The path and id only: the body may hold a reset token, and logs travel further than files.
      log.info({ file, messageId: info.messageId }, 'Mail written to a file because SMTP_URL is not set')
      return { messageId: info.messageId, file }
    },
    close: () => transport.close(),
  }
}

/**
 * Time first so a folder listing reads in order of sending; then random, never anything from the
 * message, so a recipient or subject cannot steer the path (`../`) or leak through a listing.
 */
export function emlFileName(at: Date): string {
  return `${at.toISOString().replace(/[:.]/g, '-')}-${randomBytes(6).toString('hex')}.eml`
}
