import { randomBytes } from 'node:crypto'
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { deriveKey } from '../src/secrets/derive-key.ts'
import { decodeSecret, loadSecrets } from '../src/secrets/master-secret.ts'
import { openSecret, sealSecret } from '../src/secrets/seal.ts'

const folders: string[] = []
function dataDir(): string {
  const folder = mkdtempSync(join(tmpdir(), 'tessera-secrets-'))
  folders.push(folder)
  return folder
}
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true })
})

const posix = process.platform !== 'win32'

describe('loadSecrets', () => {
  it.runIf(posix)('generates a key file once, private to its owner, and reuses it', () => {
    const dir = dataDir()
    const first = loadSecrets({ dataDir: dir, env: {} })
    const keyFile = join(dir, 'secrets', 'master.key')
    expect(first.source).toBe('file')
    expect(first.keyFile).toBe(keyFile)
    expect(statSync(keyFile).mode & 0o777).toBe(0o600)
    expect(statSync(join(dir, 'secrets')).mode & 0o777).toBe(0o700)
    expect(Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64').length).toBeGreaterThanOrEqual(32)

    const before = readFileSync(keyFile, 'utf8')
    const second = loadSecrets({ dataDir: dir, env: {} })
    expect(readFileSync(keyFile, 'utf8')).toBe(before)
    expect(second.deriveKey('jwt-signing').equals(first.deriveKey('jwt-signing'))).toBe(true)
    expect(loadSecrets({ dataDir: dataDir(), env: {} }).deriveKey('jwt-signing')).not.toEqual(
      first.deriveKey('jwt-signing'),
    )
  })

  it('keeps the master secret out of anything that could be logged', () => {
    const secret = randomBytes(32)
    const secrets = loadSecrets({ dataDir: dataDir(), env: { TESSERA_SECRET: secret.toString('base64') } })
    const shown = JSON.stringify(secrets)
    expect(shown).not.toContain(secret.toString('base64'))
    expect(Object.keys(secrets).sort()).toEqual(['deriveKey', 'keyFile', 'source'])
  })

  it('uses TESSERA_SECRET when set, without touching the data folder', () => {
    const dir = dataDir()
    const secret = randomBytes(32).toString('hex')
    const a = loadSecrets({ dataDir: dir, env: { TESSERA_SECRET: secret } })
    const b = loadSecrets({ dataDir: dataDir(), env: { TESSERA_SECRET: secret } })
    expect(a.source).toBe('env')
    expect(a.keyFile).toBeUndefined()
    expect(a.deriveKey('totp-seed').equals(b.deriveKey('totp-seed'))).toBe(true)
    expect(() => statSync(join(dir, 'secrets'))).toThrow(/ENOENT/)
  })

  it('refuses a configured secret shorter than 32 bytes, counting decoded bytes', () => {
    const short = [
      randomBytes(31).toString('base64'),
      randomBytes(31).toString('hex'), // 62 characters, but only 31 bytes
      'correct horse battery',
    ]
    for (const TESSERA_SECRET of short) {
      expect(() => loadSecrets({ dataDir: dataDir(), env: { TESSERA_SECRET } })).toThrow(
        /TESSERA_SECRET must be at least 32 bytes/,
      )
    }
  })

  it('decodes hex, base64, base64url and raw strings', () => {
    const bytes = randomBytes(32)
    expect(decodeSecret(bytes.toString('hex')).equals(bytes)).toBe(true)
    expect(decodeSecret(bytes.toString('base64')).equals(bytes)).toBe(true)
    expect(decodeSecret(bytes.toString('base64url')).equals(bytes)).toBe(true)
    const phrase = 'a long passphrase, with spaces & punctuation!'
    expect(decodeSecret(phrase).toString('utf8')).toBe(phrase)
  })

  it.runIf(posix)('refuses a key file that group or others can read', () => {
    const dir = dataDir()
    loadSecrets({ dataDir: dir, env: {} })
    const keyFile = join(dir, 'secrets', 'master.key')
    chmodSync(keyFile, 0o640)
    expect(() => loadSecrets({ dataDir: dir, env: {} })).toThrow(
      /readable or writable by group or others.*chmod 600/,
    )
    chmodSync(keyFile, 0o604)
    expect(() => loadSecrets({ dataDir: dir, env: {} })).toThrow(/mode 604/)
  })

  it('refuses a key file that is not a long enough secret', () => {
    const dir = dataDir()
    loadSecrets({ dataDir: dir, env: {} })
    const keyFile = join(dir, 'secrets', 'master.key')
    rmSync(keyFile)
    // Written 0600 so that the only fault is its content.
    writeFileSync(keyFile, `${randomBytes(16).toString('base64')}\n`, { mode: 0o600 })
    expect(() => loadSecrets({ dataDir: dir, env: {} })).toThrow(/not 32 or more bytes of base64/)
  })
})

describe('deriveKey', () => {
  const master = randomBytes(32)

  it('gives each purpose its own 32-byte key, the same every time', () => {
    const totp = deriveKey(master, 'totp-seed')
    const jwt = deriveKey(master, 'jwt-signing')
    expect(totp).toHaveLength(32)
    expect(jwt).toHaveLength(32)
    expect(totp.equals(jwt)).toBe(false)
    expect(totp.equals(master)).toBe(false)
    expect(deriveKey(master, 'totp-seed').equals(totp)).toBe(true)
    expect(deriveKey(randomBytes(32), 'totp-seed').equals(totp)).toBe(false)
    expect(deriveKey(master, 'jwt-signing', 64)).toHaveLength(64)
  })

  it('refuses an empty purpose', () => {
    expect(() => deriveKey(master, '')).toThrow(/purpose/)
  })
})

describe('sealSecret and openSecret', () => {
  const key = deriveKey(randomBytes(32), 'totp-seed')
  const row = 'totp:0192f0c4-0000-7000-8000-000000000001:0192f0c4-0000-7000-8000-000000000002'
  const otherRow = 'totp:0192f0c4-0000-7000-8000-000000000001:0192f0c4-0000-7000-8000-000000000003'

  it('round-trips, in the v1 format, with a fresh nonce each time', () => {
    const plaintext = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP — ünïcode'
    const sealed = sealSecret(key, plaintext, row)
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/)
    expect(sealed).not.toContain('JBSWY3DP')
    expect(openSecret(key, sealed, row)).toBe(plaintext)
    expect(sealSecret(key, plaintext, row)).not.toBe(sealed)
    expect(openSecret(key, sealSecret(key, '', row), row)).toBe('')
  })

  it('throws on altered ciphertext, nonce, version or format', () => {
    const sealed = sealSecret(key, 'seed', row)
    const [version, nonce, body] = sealed.split('.') as [string, string, string]
    const flip = (text: string, at: number) =>
      text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1)
    const altered = [
      `${version}.${nonce}.${flip(body, 0)}`,
      `${version}.${nonce}.${flip(body, body.length - 1)}`,
      `${version}.${flip(nonce, 3)}.${body}`,
      `v2.${nonce}.${body}`,
      `${version}.${nonce}.${body}.x`,
      `${version}.${nonce}`,
      `${version}.${nonce}.${body.slice(0, -4)}`,
      '',
    ]
    for (const value of altered) {
      expect(() => openSecret(key, value, row)).toThrow(/cannot be opened/)
    }
  })

  it('throws when opened for another row', () => {
    const sealed = sealSecret(key, 'seed', row)
    expect(() => openSecret(key, sealed, otherRow)).toThrow(/cannot be opened/)
    expect(() => openSecret(key, sealed, '')).toThrow(/cannot be opened/)
  })

  it('throws when opened with another key', () => {
    const sealed = sealSecret(key, 'seed', row)
    expect(() => openSecret(deriveKey(randomBytes(32), 'totp-seed'), sealed, row)).toThrow(/cannot be opened/)
  })

  it('refuses a key that is not 32 bytes', () => {
    expect(() => sealSecret(randomBytes(16), 'seed', row)).toThrow(/32-byte key/)
  })
})
