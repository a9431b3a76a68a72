import type { MailMessage } from '../../mail/message.ts'
import { USER_TOKEN_MINUTES } from './user-tokens.ts'

/** What a recovery mail needs: the recipient and the plain token, which exists only until it is sent. */
export interface RecoveryMail {
  to: string
  name: string
  token: string
}

/**
 * A link to the web app's page for the token. The token rides in the fragment, which browsers
 * never send to a server: it stays out of access logs (ours and any proxy's) and Referer headers;
 * the page reads it and posts it to the API.
 */
export function recoveryLink(
  publicUrl: string,
  page: 'reset-password' | 'verify-email',
  token: string,
): string {
  return `${publicUrl.replace(/\/+$/, '')}/${page}#token=${encodeURIComponent(token)}`
}

export function passwordResetMessage(mail: RecoveryMail, publicUrl: string): MailMessage {
  return {
    to: mail.to,
    subject: 'Reset your Tessera password',
    text: [
      `Hello ${mail.name},`,
      '',
      'Someone, hopefully you, asked to reset the password of your Tessera account.',
      `Open this link within ${USER_TOKEN_MINUTES} minutes to choose a new password:`,
      '',
      recoveryLink(publicUrl, 'reset-password', mail.token),
      '',
      'The link works once. Resetting the password signs you out everywhere.',
      'If you did not ask for this, ignore this message: your password stays as it is.',
      '',
    ].join('\n'),
  }
}

export function emailVerificationMessage(mail: RecoveryMail, publicUrl: string): MailMessage {
  return {
    to: mail.to,
    subject: 'Confirm your email address for Tessera',
    text: [
      `Hello ${mail.name},`,
      '',
      `Open this link within ${USER_TOKEN_MINUTES} minutes to confirm that this address is yours:`,
      '',
      recoveryLink(publicUrl, 'verify-email', mail.token),
      '',
      'The link works once. If you did not create a Tessera account, ignore this message.',
      '',
    ].join('\n'),
  }
}
