import { recoveryLink } from '../identity/recovery/messages.ts'
import { USER_TOKEN_MINUTES } from '../identity/recovery/user-tokens.ts'
import type { MailMessage } from '../mail/message.ts'

/** What an invitation mail needs; the plain token exists only until the mail is sent. */
export interface InvitationMail {
  to: string
  name: string
  /** the inviting tenant's name */
  tenant: string
  /** the inviting member's name */
  inviter: string
  /** a set-password token (a password-reset token) for an account without a password; none otherwise */
  token?: string
}

/** A tenant's or person's name on one line: a subject cannot hold line breaks or control characters. */
function oneLine(text: string, max: number): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim()
  return [...flat].length > max ? `${[...flat].slice(0, max - 1).join('')}…` : flat
}

/**
 * The invitation. A new account gets a link to the password-reset page, where the invitee chooses
 * their first password (the token rides in the URL fragment, as in a reset mail); an existing
 * account is told it can sign in as usual.
 */
export function invitationMessage(mail: InvitationMail, publicUrl: string): MailMessage {
  const tenant = oneLine(mail.tenant, 120)
  const intro = `${oneLine(mail.inviter, 100)} added you to ${tenant} on Tessera.`
  const text = mail.token
    ? [
        `Hello ${mail.name},`,
        '',
        intro,
        `Open this link within ${USER_TOKEN_MINUTES} minutes to choose your password:`,
        '',
        recoveryLink(publicUrl, 'reset-password', mail.token),
        '',
        'The link works once. Once it has expired, ask for a new one with "Forgot your password?" on',
        `the sign-in page at ${publicUrl}, using this address.`,
        'If you do not know this tenant, ignore this message.',
        '',
      ]
    : [
        `Hello ${mail.name},`,
        '',
        intro,
        `Sign in at ${publicUrl} with your existing account to work in it.`,
        '',
      ]
  return { to: mail.to, subject: `You have been invited to ${tenant} on Tessera`, text: text.join('\n') }
}
