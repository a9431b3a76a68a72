import { join } from 'node:path'
import { ConfigError } from '../config.ts'
import { deriveKey } from './derive-key.ts'
import { MASTER_SECRET_BYTES, readOrCreateKeyFile } from './key-file.ts'

/**
 * The server's secrets. The master secret itself is kept in a closure, not a property, so logging or
 * serialising this object can never print it; callers only ever get keys derived for a purpose.
 */
export interface ServerSecrets {
  /** where the master secret came from: safe to log at start-up */
  source: 'env' | 'file'
  /** the key file, when the secret came from one */
  keyFile: string | undefined
  /** a 32-byte (or `length`-byte) key for one purpose, e.g. 'totp-seed' or 'jwt-signing' */
  deriveKey(purpose: string, length?: number): Buffer
}

/**
 * TESSERA_SECRET when set; otherwise `<dataDir>/secrets/master.key`, generated on first start.
 * There is deliberately no built-in default: a secret shipped in the source is public.
 */
export function loadSecrets({
  dataDir,
  env = process.env,
}: {
  dataDir: string
  env?: NodeJS.ProcessEnv
}): ServerSecrets {
  const configured = env.TESSERA_SECRET?.trim()
  if (configured) {
    const master = decodeSecret(configured)
    if (master.length < MASTER_SECRET_BYTES) {
      throw new ConfigError(
        `TESSERA_SECRET must be at least ${MASTER_SECRET_BYTES} bytes (after base64 or hex decoding); ` +
          `it has ${master.length}. Generate one with: openssl rand -base64 ${MASTER_SECRET_BYTES}`,
      )
    }
    return secretsFrom(master, 'env', undefined)
  }
  const keyFile = join(dataDir, 'secrets', 'master.key')
  return secretsFrom(readOrCreateKeyFile(keyFile), 'file', keyFile)
}

function secretsFrom(
  master: Buffer,
  source: ServerSecrets['source'],
  keyFile: string | undefined,
): ServerSecrets {
  return { source, keyFile, deriveKey: (purpose, length) => deriveKey(master, purpose, length) }
}

/**
 * Hex, then base64 (either alphabet), then the raw UTF-8 string. A value is taken as hex or base64
 * only when it is the canonical encoding of its bytes, so a passphrase is not mangled by accident.
 * Counting decoded bytes is also the honest measure of strength: 64 hex digits carry 32 bytes, not 64.
 */
export function decodeSecret(value: string): Buffer {
  if (/^(?:[0-9a-f]{2})+$/i.test(value)) return Buffer.from(value, 'hex')
  if (/^[A-Za-z0-9+/]+={0,2}$|^[A-Za-z0-9_-]+$/.test(value)) {
    const bytes = Buffer.from(value, 'base64')
    const unpadded = value.replace(/=+$/, '').replaceAll('+', '-').replaceAll('/', '_')
    if (bytes.length > 0 && bytes.toString('base64url') === unpadded) return bytes
  }
  return Buffer.from(value, 'utf8')
}
