import { type FieldError, Invalid } from '../../errors/errors.ts'
import { isCommonPassword } from './common-passwords.ts'
import { emailLocalPart } from './email-local-part.ts'
import { codePointLength, normalizePassword } from './normalize.ts'
import { estimateStrength, type PasswordStrength } from './strength.ts'

/** NIST SP 800-63B: length and a blocklist, no composition rules (they push users to "Password1!"). */
export const PASSWORD_MIN_LENGTH = 12
export const PASSWORD_MAX_LENGTH = 128
/** A local part this short ("al") is too likely to occur by chance to be worth refusing. */
const MIN_LOCAL_PART_LENGTH = 3

/** Stable: clients branch on these. */
export type PasswordErrorCode = 'type' | 'too_short' | 'too_long' | 'common' | 'contains_email'

export interface PasswordFieldError extends FieldError {
  field: 'password'
  code: PasswordErrorCode
}

export interface PasswordContext {
  email: string
  name?: string
}

export interface PasswordCheck {
  ok: boolean
  errors: PasswordFieldError[]
  strength: PasswordStrength
}

const MESSAGES: Record<PasswordErrorCode, string> = {
  type: 'password must be a string.',
  too_short: `password must be at least ${PASSWORD_MIN_LENGTH} characters long.`,
  too_long: `password must be at most ${PASSWORD_MAX_LENGTH} characters long.`,
  common: 'password is one of the most commonly used passwords.',
  contains_email: 'password must not contain the part of your email address before the @.',
}

function fault(code: PasswordErrorCode): PasswordFieldError {
  return { field: 'password', code, message: MESSAGES[code] }
}

const NO_STRENGTH: PasswordStrength = { score: 0, warning: null, suggestions: [] }

/**
 * Every rule the password breaks (all at once, like schema validation), plus zxcvbn's strength for the
 * client's meter. Strength is advice only: it never makes `ok` false.
 * `plain` is `unknown` because it comes straight from a request body.
 */
export function checkPassword(plain: unknown, context: PasswordContext): PasswordCheck {
  if (typeof plain !== 'string') return { ok: false, errors: [fault('type')], strength: NO_STRENGTH }
  const password = normalizePassword(plain)
  const email = typeof context.email === 'string' ? context.email : ''
  const name = typeof context.name === 'string' ? context.name : undefined
  const errors: PasswordFieldError[] = []

  const length = codePointLength(password)
  if (length < PASSWORD_MIN_LENGTH) errors.push(fault('too_short'))
  if (length > PASSWORD_MAX_LENGTH) errors.push(fault('too_long'))
  if (isCommonPassword(password)) errors.push(fault('common'))
  const localPart = normalizePassword(emailLocalPart(email)).toLowerCase()
  if (codePointLength(localPart) >= MIN_LOCAL_PART_LENGTH && password.toLowerCase().includes(localPart)) {
    errors.push(fault('contains_email'))
  }

  const strength = estimateStrength(password, { email, name })
  return { ok: errors.length === 0, errors, strength }
}

/** For services: throws Invalid (400) carrying the same field errors that `checkPassword` returns. */
export function assertPasswordAcceptable(plain: unknown, context: PasswordContext): asserts plain is string {
  const { errors } = checkPassword(plain, context)
  if (errors.length > 0) {
    throw new Invalid(`The password is not acceptable: ${errors.map((e) => e.message).join(' ')}`, errors)
  }
}
