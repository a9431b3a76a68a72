import { type Static, Type } from '@sinclair/typebox'
import { Invalid } from '../../errors/errors.ts'

export const TotpCodeSchema = Type.String({
  pattern: '^[0-9]{6}$',
  description: 'the 6-digit code the authenticator app shows now',
})

/** As printed (`xxxx-xxxx-xxxx`), with or without dashes or spaces, any case. */
export const BackupCodeSchema = Type.String({
  pattern: '^[0-9A-Za-z -]{12,20}$',
  description: 'one of the backup codes, each usable once',
})

/** The second login step: the challenge from the password step and one second factor. */
export const MfaLoginInput = Type.Object(
  {
    challenge_token: Type.String({ minLength: 1, maxLength: 200 }),
    code: Type.Optional(TotpCodeSchema),
    backup_code: Type.Optional(BackupCodeSchema),
  },
  { additionalProperties: false },
)
export type MfaLoginInput = Static<typeof MfaLoginInput>

export const TotpCodeInput = Type.Object({ code: TotpCodeSchema }, { additionalProperties: false })
export type TotpCodeInput = Static<typeof TotpCodeInput>

/** Turning MFA off proves presence with a current code or the password. */
export const DisableMfaInput = Type.Object(
  {
    code: Type.Optional(TotpCodeSchema),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
  },
  { additionalProperties: false },
)
export type DisableMfaInput = Static<typeof DisableMfaInput>

/**
 * Exactly one of two optional fields: JSON Schema's oneOf would report every branch; this names
 * the field to send (missing) or to drop (both sent).
 */
export function exactlyOne<A extends string, B extends string>(
  input: Partial<Record<A | B, string>>,
  first: A,
  second: B,
): { field: A; value: string } | { field: B; value: string } {
  const a = input[first]
  const b = input[second]
  if (a !== undefined && b !== undefined) {
    throw new Invalid(`Send ${first} or ${second}, not both.`, [
      { field: second, code: 'not_allowed', message: `${second} cannot be sent together with ${first}.` },
    ])
  }
  if (a !== undefined) return { field: first, value: a }
  if (b !== undefined) return { field: second, value: b }
  throw new Invalid(`${first} or ${second} is required.`, [
    { field: first, code: 'required', message: `${first} (or ${second}) is required.` },
  ])
}
