import { hash as argon2Hash } from '@node-rs/argon2'
import { describe, expect, it } from 'vitest'
import { Invalid } from '../../src/errors/errors.ts'
import {
  assertPasswordAcceptable,
  checkPassword,
  hashPassword,
  needsRehash,
  type PasswordErrorCode,
  verifyAgainstDummy,
  verifyPassword,
} from '../../src/identity/passwords/index.ts'

const EMAIL = 'jane.doe@example.com'
const LOCK = '\u{1F512}' // one code point, two UTF-16 units

describe('password policy', () => {
  const cases: Array<{ name: string; password: unknown; email?: string; codes: PasswordErrorCode[] }> = [
    { name: 'short', password: 'elevenchars', codes: ['too_short'] },
    { name: 'exactly 12 characters', password: 'vault-amber7', codes: [] },
    { name: 'exactly 128 characters', password: 'x7#K'.repeat(32), codes: [] },
    { name: '129 characters', password: `${'x7#K'.repeat(32)}q`, codes: ['too_long'] },
    {
      name: 'emoji counts as one: 12 code points, 13 UTF-16 units',
      password: `ambervault7${LOCK}`,
      codes: [],
    },
    {
      name: 'emoji counts as one: 11 code points, 12 UTF-16 units',
      password: `ambervault${LOCK}`,
      codes: ['too_short'],
    },
    {
      name: 'emoji counts as one: 128 code points, 129 UTF-16 units',
      password: `${'q'.repeat(127)}${LOCK}`,
      codes: [],
    },
    { name: 'common password, upper case', password: 'QWERTY123456', codes: ['common'] },
    { name: 'common password, mixed case', password: 'LeaveMeAlone', codes: ['common'] },
    { name: 'short and common', password: 'Password', codes: ['too_short', 'common'] },
    { name: 'contains the email local part', password: 'my-JANE.DOE-vault-9', codes: ['contains_email'] },
    {
      name: 'contains a 3-character local part',
      password: 'ann-rides-a-purple-bus',
      email: 'ann@example.com',
      codes: ['contains_email'],
    },
    {
      name: 'a 2-character local part is allowed',
      password: 'jd-rides-a-purple-bus',
      email: 'jd@example.com',
      codes: [],
    },
    { name: 'a number', password: 123456789012345, codes: ['type'] },
    { name: 'null', password: null, codes: ['type'] },
    { name: 'undefined', password: undefined, codes: ['type'] },
  ]

  it.each(cases)('$name', ({ password, email, codes }) => {
    const result = checkPassword(password, { email: email ?? EMAIL })
    expect(result.errors.map((error) => error.code)).toEqual(codes)
    expect(result.ok).toBe(codes.length === 0)
    for (const error of result.errors) {
      expect(error.field).toBe('password')
      expect(error.message).toMatch(/^password .+\.$/)
    }
  })

  it('ships exactly the 10,000 most common passwords (the 10,000th is refused, the 10,001st is not)', () => {
    // entries 10,000 and 10,001 of the zxcvbn list: 8-digit dates, refused as too short either way
    expect(checkPassword('24081990', { email: EMAIL }).errors.map((e) => e.code)).toContain('common')
    expect(checkPassword('25021983', { email: EMAIL }).errors.map((e) => e.code)).not.toContain('common')
  })

  it('compares the NFKC form, so a full-width common password is still refused', () => {
    const fullWidth = 'ＱＷＥＲＴＹ１２３４５６'
    expect(checkPassword(fullWidth, { email: EMAIL }).errors.map((e) => e.code)).toEqual(['common'])
  })

  it('assertPasswordAcceptable throws Invalid carrying the same field errors', () => {
    let thrown: unknown
    try {
      assertPasswordAcceptable('Password', { email: EMAIL })
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(Invalid)
    const invalid = thrown as Invalid
    expect(invalid.status).toBe(400)
    expect(invalid.code).toBe('invalid')
    expect(invalid.errors).toEqual(checkPassword('Password', { email: EMAIL }).errors)
    expect(() => assertPasswordAcceptable('vault-amber7-harbour', { email: EMAIL })).not.toThrow()
  })
})

describe('password strength', () => {
  it('scores a common-word password below a long random passphrase, with feedback for the weak one', () => {
    const weak = checkPassword('password1234', { email: EMAIL }).strength
    const strong = checkPassword('tundra-gasket-marmalade-vortex-91', { email: EMAIL }).strength
    expect(weak.score).toBeLessThanOrEqual(1)
    expect(strong.score).toBe(4)
    expect(weak.score).toBeLessThan(strong.score)
    expect(weak.warning).toEqual(expect.any(String))
    expect(weak.suggestions.length).toBeGreaterThan(0)
    expect(strong).toEqual({ score: 4, warning: null, suggestions: [] })
  })

  it('counts the name and the parts of the email as guessable words', () => {
    const anonymous = checkPassword('kiddobeatrix', { email: 'someone@example.com' }).strength
    const named = checkPassword('kiddobeatrix', {
      email: 'someone@example.com',
      name: 'Beatrix Kiddo',
    }).strength
    expect(named.score).toBeLessThan(anonymous.score)
    expect(named.warning).toEqual(expect.any(String))

    const fromEmail = checkPassword('morrellottoline', { email: 'ottoline.morrell@example.com' }).strength
    const unrelated = checkPassword('morrellottoline', { email: 'someone@example.com' }).strength
    expect(fromEmail.score).toBeLessThan(unrelated.score)
  })

  it('evaluates only the first 128 characters, so a huge input is refused without a long computation', () => {
    const huge = Array.from({ length: 100_000 }, (_, i) => String.fromCharCode(33 + ((i * 7919) % 90))).join(
      '',
    )
    const started = performance.now()
    const result = checkPassword(huge, { email: EMAIL })
    expect(result.errors.map((e) => e.code)).toEqual(['too_long'])
    expect(result.strength.score).toBeGreaterThanOrEqual(3)
    expect(performance.now() - started).toBeLessThan(5_000)
  })
})

describe('password hashing', () => {
  it('round-trips: the hash verifies the password it was made from, and only that one', async () => {
    const stored = await hashPassword('correct horse battery staple')
    expect(await verifyPassword(stored, 'correct horse battery staple')).toBe(true)
    expect(await verifyPassword(stored, 'correct horse battery stapler')).toBe(false)
    expect(await verifyPassword(stored, 'Correct horse battery staple')).toBe(false)
    expect(await verifyPassword(stored, '')).toBe(false)
  })

  it('salts each hash, so the same password hashes differently twice', async () => {
    const [first, second] = await Promise.all([hashPassword('same password'), hashPassword('same password')])
    expect(first).not.toBe(second)
    expect(await verifyPassword(second, 'same password')).toBe(true)
  })

  it('verifies the NFC and NFD forms of a password alike', async () => {
    const stored = await hashPassword('caf\u00e9 au lait, s\u2019il vous pla\u00eet')
    expect(await verifyPassword(stored, 'cafe\u0301 au lait, s\u2019il vous plai\u0302t')).toBe(true)
  })

  it('encodes argon2id with m >= 19456 KiB, t >= 2, p = 1 in the stored hash', async () => {
    const stored = await hashPassword('parameters please')
    const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/.exec(
      stored,
    )
    expect(match).not.toBeNull()
    const [, memory, time, parallelism] = (match ?? []).map(Number)
    expect(memory).toBeGreaterThanOrEqual(19_456)
    expect(time).toBeGreaterThanOrEqual(2)
    expect(parallelism).toBe(1)
    expect(needsRehash(stored)).toBe(false)
  })

  it.each([
    ['not a hash', 'not-a-hash'],
    ['empty', ''],
    ['truncated argon2id', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ'],
    ['bcrypt', '$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy'],
    ['not a string', null as unknown as string],
  ])('returns false, without throwing, for a malformed hash: %s', async (_, malformed) => {
    await expect(verifyPassword(malformed, 'whatever it is')).resolves.toBe(false)
  })

  // the algorithm numbers of @node-rs/argon2's const enum, which isolatedModules cannot read
  const ARGON2I = 1
  const ARGON2ID = 2
  it.each([
    { name: 'less memory and time', rehash: true, options: { memoryCost: 4_096, timeCost: 1 } },
    { name: 'less memory only', rehash: true, options: { memoryCost: 8_192, timeCost: 3 } },
    { name: 'fewer passes only', rehash: true, options: { timeCost: 1 } },
    { name: 'two lanes', rehash: true, options: { parallelism: 2 } },
    { name: 'argon2i', rehash: true, options: { algorithm: ARGON2I } },
    { name: 'stronger parameters', rehash: false, options: { memoryCost: 32_768, timeCost: 3 } },
  ])('needsRehash is $rehash for $name, and the hash still verifies', async ({ rehash, options }) => {
    const plain = 'upgrade me at login'
    const stored = await argon2Hash(plain, {
      algorithm: ARGON2ID,
      memoryCost: 19_456,
      timeCost: 2,
      parallelism: 1,
      ...options,
    })
    expect(await verifyPassword(stored, plain)).toBe(true)
    expect(needsRehash(stored)).toBe(rehash)
  })

  it('needsRehash is true for an unreadable hash', () => {
    expect(needsRehash('not-a-hash')).toBe(true)
  })
})

describe('timing for an unknown account', () => {
  it('verifyAgainstDummy always answers false', async () => {
    expect(await verifyAgainstDummy('any password at all')).toBe(false)
    expect(await verifyAgainstDummy('')).toBe(false)
    expect(await verifyAgainstDummy(undefined as unknown as string)).toBe(false)
  })
})
