/**
 * A message the SMTP server did not take. Built afresh from nodemailer's error rather than
 * wrapping it, because errors get logged whole (pino folds `cause` into the logged message) and
 * the original carries the server's raw reply, which a careless relay may fill with what it was sent.
 */
export class MailDeliveryError extends Error {
  /** nodemailer's code, e.g. ECONNECTION, EAUTH, EENVELOPE */
  readonly code: string | undefined
  /** the SMTP reply code, when the server answered */
  readonly responseCode: number | undefined
  /** true when the server refused for good (5yz), so retrying the same message is pointless */
  readonly permanent: boolean
  constructor(message: string, code?: string, responseCode?: number, permanent = false) {
    super(message)
    this.name = 'MailDeliveryError'
    this.code = code
    this.responseCode = responseCode
    this.permanent = permanent
  }
}

interface NodemailerFailure {
  message?: unknown
  code?: unknown
  responseCode?: unknown
  permanent?: unknown
}

/**
 * Turns whatever the SMTP transport threw into a MailDeliveryError that names the server but never
 * the password: every secret is blanked out of the text, in case the reply echoed it.
 */
export function deliveryError(failure: unknown, server: string, secrets: string[]): MailDeliveryError {
  const f = (typeof failure === 'object' && failure !== null ? failure : {}) as NodemailerFailure
  const reason = redact(typeof f.message === 'string' ? f.message : String(failure), secrets)
  return new MailDeliveryError(
    `Sending mail through ${server} failed: ${reason}`,
    typeof f.code === 'string' ? f.code : undefined,
    typeof f.responseCode === 'number' ? f.responseCode : undefined,
    f.permanent === true,
  )
}

export function redact(text: string, secrets: string[]): string {
  let result = text
  for (const secret of secrets) {
    if (secret) result = result.split(secret).join('***')
  }
  return result
}
