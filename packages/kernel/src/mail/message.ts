import { Invalid } from '../errors/errors.ts'

/** One outgoing message. The kernel only sends system mail (resets, invitations) to one person. */
export interface MailMessage {
  to: string
  subject: string
  text: string
  /** an HTML alternative to `text`, which stays the part every client can show */
  html?: string
}

export const MAX_SUBJECT_LENGTH = 200

/**
 * The WHATWG HTML rule for `<input type=email>`: a plain `local@domain`, no display name, no
 * comments, no quoted local part. Stricter than RFC 5322 on purpose: anything it accepts is one
 * mailbox that every relay takes, and nothing in it can end a header or start another address.
 */
const EMAIL =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/

/** RFC 5321 limits: 64 octets of local part, 254 for a whole forward path's address. */
export function isEmailAddress(value: string): boolean {
  const at = value.lastIndexOf('@')
  return EMAIL.test(value) && at <= 64 && value.length <= 254
}

/**
 * Checks a message before any transport sees it, so a rejected message is neither sent nor
 * written. CR or LF in a header value could end it and inject another (a Bcc, say), so they are
 * refused outright rather than stripped: a caller that put one there has a bug worth hearing about.
 */
export function validateMessage(message: MailMessage): MailMessage {
  const { to, subject, text, html } = message
  if (typeof to !== 'string' || to === '') throw Invalid.field('to', 'to is required.', 'required')
  if (/[\r\n]/.test(to)) throw Invalid.field('to', 'to must not contain a line break.', 'line_break')
  if (!isEmailAddress(to)) {
    throw Invalid.field('to', 'to must be a single e-mail address such as name@example.com.', 'email')
  }
  if (typeof subject !== 'string' || subject.trim() === '') {
    throw Invalid.field('subject', 'subject is required.', 'required')
  }
  if (/[\r\n]/.test(subject)) {
    throw Invalid.field('subject', 'subject must not contain a line break.', 'line_break')
  }
  // Other control characters are no injection risk once encoded, but no subject needs them either.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(subject)) {
    throw Invalid.field('subject', 'subject must not contain control characters.', 'control_character')
  }
  // Counted in code points, so an emoji counts once, as a person reading the subject would count it.
  if ([...subject].length > MAX_SUBJECT_LENGTH) {
    throw Invalid.field('subject', `subject must be at most ${MAX_SUBJECT_LENGTH} characters.`, 'too_long')
  }
  if (typeof text !== 'string') throw Invalid.field('text', 'text is required.', 'required')
  if (html !== undefined && typeof html !== 'string') throw Invalid.field('html', 'html must be a string.')
  return { to, subject, text, ...(html === undefined ? {} : { html }) }
}
