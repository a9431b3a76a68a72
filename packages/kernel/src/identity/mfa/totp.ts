import { randomBytes, timingSafeEqual } from 'node:crypto'
import { HOTP, Secret, TOTP } from 'otpauth'
import QRCode from 'qrcode'

/**
 * RFC 6238 as every authenticator app implements it by default: HMAC-SHA1, 6 digits, 30 s. Apps
 * differ in which non-default settings they honour, so the defaults are the only safe choice.
 */
export const TOTP_SETTINGS = { algorithm: 'SHA1', digits: 6, period: 30 } as const

/** RFC 4226 §4 asks for at least 128 bits and recommends 160: 20 bytes, one SHA-1 block's worth of key. */
const SECRET_BYTES = 20

/** Steps either side of now still accepted, for clock drift and slow typing (SECURITY.md: ±1). */
const DRIFT_STEPS = 1

/** A new seed from the CSPRNG, base32 as authenticator apps expect. Seal it before storing it. */
export function newTotpSecret(): string {
  return new Secret({ buffer: Uint8Array.from(randomBytes(SECRET_BYTES)).buffer }).base32
}

/** The otpauth:// URI an authenticator app reads, e.g. `otpauth://totp/Tessera:ann%40example.com?…`. */
export function totpUri({
  secret,
  issuer = 'Tessera',
  label,
}: {
  secret: string
  issuer?: string
  label: string
}): string {
  return new TOTP({ ...TOTP_SETTINGS, issuer, label, secret: Secret.fromBase32(secret) }).toString()
}

/** The URI as a QR code, a `data:image/png;base64,…` URL ready for an <img> tag. */
export function totpQrCode(uri: string): Promise<string> {
  return QRCode.toDataURL(uri, { type: 'image/png', errorCorrectionLevel: 'M' })
}

export type TotpVerification =
  | { ok: true; step: number }
  | { ok: false; reason: 'malformed' | 'wrong' | 'replayed' }

/**
 * Checks a code against the steps now-1, now and now+1. On success, store `step` as the member's
 * `lastUsedStep`: a code whose step is not later than it is refused, so each code works once and a
 * code from an earlier step cannot be used after a later one has been.
 * `now` is a Date or milliseconds since the epoch; it exists for tests.
 */
export function verifyTotp({
  secret,
  code,
  lastUsedStep,
  now = Date.now(),
}: {
  secret: string
  code: string
  lastUsedStep: number | null | undefined
  now?: Date | number
}): TotpVerification {
  if (typeof code !== 'string' || !/^[0-9]{6}$/.test(code)) return { ok: false, reason: 'malformed' }
  const key = Secret.fromBase32(secret)
  const current = TOTP.counter({
    period: TOTP_SETTINGS.period,
    timestamp: now instanceof Date ? now.getTime() : now,
  })
  const given = Buffer.from(code, 'ascii')
  // Every candidate is computed and compared, with no early exit, so timing does not tell which step matched.
  let accepted: number | undefined
  let replayed = false
  for (let step = current - DRIFT_STEPS; step <= current + DRIFT_STEPS; step++) {
    if (step < 0) continue
    const expected = HOTP.generate({ ...TOTP_SETTINGS, secret: key, counter: step })
    if (!timingSafeEqual(given, Buffer.from(expected, 'ascii'))) continue
    // Two steps can share a code by chance; the latest fresh one moves lastUsedStep furthest.
    if (lastUsedStep != null && step <= lastUsedStep) replayed = true
    else accepted = step
  }
  if (accepted !== undefined) return { ok: true, step: accepted }
  return { ok: false, reason: replayed ? 'replayed' : 'wrong' }
}
