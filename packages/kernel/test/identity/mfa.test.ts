import { HOTP, Secret, TOTP, URI } from 'otpauth'
import { describe, expect, it } from 'vitest'
import { matchBackupCode, newBackupCodes, normalizeBackupCode } from '../../src/identity/mfa/backup-codes.ts'
import { newTotpSecret, totpQrCode, totpUri, verifyTotp } from '../../src/identity/mfa/totp.ts'

// RFC 6238 appendix B's SHA-1 seed ("12345678901234567890"), so the expected codes are independently known.
const secret = Secret.fromLatin1('12345678901234567890').base32
/** 2009-02-13T23:31:30Z, the RFC's test time 1234567890 s: step 41152263, code 005924 (8 digits: 89005924). */
const now = 1_234_567_890_000
const step = 41_152_263

const codeAt = (counter: number) =>
  HOTP.generate({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, counter })

describe('TOTP secret, URI and QR code', () => {
  it('makes a 160-bit base32 secret, different every time', () => {
    const a = newTotpSecret()
    expect(a).toMatch(/^[A-Z2-7]{32}$/)
    expect(Secret.fromBase32(a).bytes).toHaveLength(20)
    expect(newTotpSecret()).not.toBe(a)
  })

  it('builds an otpauth URI with issuer, label, secret, period 30 and digits 6', () => {
    const seed = newTotpSecret()
    const uri = totpUri({ secret: seed, issuer: 'Tessera', label: 'ann@example.com' })
    const url = new URL(uri)
    expect(url.protocol).toBe('otpauth:')
    expect(url.host).toBe('totp')
    expect(decodeURIComponent(url.pathname)).toBe('/Tessera:ann@example.com')
    expect(url.searchParams.get('issuer')).toBe('Tessera')
    expect(url.searchParams.get('secret')).toBe(seed)
    expect(url.searchParams.get('period')).toBe('30')
    expect(url.searchParams.get('digits')).toBe('6')
    expect(url.searchParams.get('algorithm')).toBe('SHA1')
    // And an independent parser reads back the same settings.
    const parsed = URI.parse(uri)
    expect(parsed).toBeInstanceOf(TOTP)
    expect((parsed as TOTP).period).toBe(30)
    expect((parsed as TOTP).digits).toBe(6)
    expect((parsed as TOTP).secret.base32).toBe(seed)
  })

  it('renders the URI as a PNG data URL', async () => {
    const dataUrl = await totpQrCode(
      totpUri({ secret: newTotpSecret(), issuer: 'Tessera', label: 'ann@example.com' }),
    )
    expect(dataUrl.startsWith('data:image/png;base64,')).toBe(true)
    const png = Buffer.from(dataUrl.slice('data:image/png;base64,'.length), 'base64')
    expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(
      true,
    )
  })
})

describe('verifyTotp', () => {
  it('agrees with the RFC 6238 test vector', () => {
    expect(codeAt(step)).toBe('005924')
    expect(TOTP.counter({ period: 30, timestamp: now })).toBe(step)
    expect(verifyTotp({ secret, code: '005924', lastUsedStep: null, now })).toEqual({ ok: true, step })
  })

  it('accepts the codes for the previous, current and next step, and returns that step', () => {
    for (const offset of [-1, 0, 1]) {
      expect(verifyTotp({ secret, code: codeAt(step + offset), lastUsedStep: null, now })).toEqual({
        ok: true,
        step: step + offset,
      })
    }
    expect(verifyTotp({ secret, code: codeAt(step), lastUsedStep: undefined, now: new Date(now) })).toEqual({
      ok: true,
      step,
    })
  })

  it('rejects codes two steps away', () => {
    for (const offset of [-2, 2]) {
      const code = codeAt(step + offset)
      // Guard against a chance collision with an accepted step, which would make the test meaningless.
      expect([codeAt(step - 1), codeAt(step), codeAt(step + 1)]).not.toContain(code)
      expect(verifyTotp({ secret, code, lastUsedStep: null, now })).toEqual({ ok: false, reason: 'wrong' })
    }
  })

  it('rejects a code whose step is not after the last used step', () => {
    const first = verifyTotp({ secret, code: codeAt(step), lastUsedStep: null, now })
    expect(first).toEqual({ ok: true, step })
    // The same code again, a few seconds later.
    expect(verifyTotp({ secret, code: codeAt(step), lastUsedStep: step, now: now + 5_000 })).toEqual({
      ok: false,
      reason: 'replayed',
    })
    // An earlier step's code after a later one has been used.
    expect(verifyTotp({ secret, code: codeAt(step - 1), lastUsedStep: step + 1, now })).toEqual({
      ok: false,
      reason: 'replayed',
    })
    // The next step's code is still fine.
    expect(verifyTotp({ secret, code: codeAt(step + 1), lastUsedStep: step, now })).toEqual({
      ok: true,
      step: step + 1,
    })
  })

  it('rejects input that is not exactly six digits', () => {
    const code = codeAt(step)
    for (const bad of [
      '',
      '12345',
      '1234567',
      `${code}0`,
      code.slice(1),
      'abcdef',
      '12 456',
      ' 005924',
      '٠٠٥٩٢٤',
    ]) {
      expect(verifyTotp({ secret, code: bad, lastUsedStep: null, now })).toEqual({
        ok: false,
        reason: 'malformed',
      })
    }
    expect(verifyTotp({ secret, code: 5924 as unknown as string, lastUsedStep: null, now })).toEqual({
      ok: false,
      reason: 'malformed',
    })
  })
})

describe('backup codes', () => {
  it('makes ten distinct, readable codes with a hash for each', () => {
    const { codes, hashes } = newBackupCodes()
    expect(codes).toHaveLength(10)
    expect(hashes).toHaveLength(10)
    expect(new Set(codes).size).toBe(10)
    expect(new Set(hashes).size).toBe(10)
    for (const code of codes) {
      expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/)
    }
    for (const hash of hashes) {
      expect(codes.some((code) => hash.includes(code) || hash.includes(code.replaceAll('-', '')))).toBe(false)
    }
  })

  it('matches each code to its own index, once each', () => {
    const { codes, hashes } = newBackupCodes()
    const remaining: (string | null)[] = [...hashes]
    codes.forEach((code, index) => {
      expect(matchBackupCode(code, remaining)).toBe(index)
      remaining[index] = null
      expect(matchBackupCode(code, remaining)).toBe(-1)
    })
  })

  it('normalises case, spaces, dashes and look-alike letters', () => {
    const { codes, hashes } = newBackupCodes()
    const code = codes[3] as string
    const bare = code.replaceAll('-', '')
    expect(matchBackupCode(code.toUpperCase(), hashes)).toBe(3)
    expect(matchBackupCode(bare, hashes)).toBe(3)
    expect(matchBackupCode(`  ${bare.slice(0, 6)} ${bare.slice(6)} `, hashes)).toBe(3)
    expect(matchBackupCode(bare.replace(/-/g, '').split('').join('-'), hashes)).toBe(3)
    expect(normalizeBackupCode('OIL0-1abc-defg')).toBe('01101abcdefg')
  })

  it('returns -1 for a wrong or malformed code', () => {
    const { hashes } = newBackupCodes()
    const other = newBackupCodes().codes[0] as string
    expect(matchBackupCode(other, hashes)).toBe(-1)
    for (const bad of ['', 'abcd-efgh', 'abcd-efgh-jkmn-p', 'uuuu-uuuu-uuuu', '!!!!-!!!!-!!!!']) {
      expect(matchBackupCode(bad, hashes)).toBe(-1)
    }
    expect(matchBackupCode(other, ['', 'not a hash', 's1.x.y'])).toBe(-1)
  })
})
