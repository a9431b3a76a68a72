import { randomBytes } from 'node:crypto'
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs'
import { dirname, join } from 'node:path'

/** Bytes of a generated master secret; also the least a stored key file may hold. */
export const MASTER_SECRET_BYTES = 32

/**
 * The master secret stored at `path`, created (0600, in a 0700 folder) on first use.
 * The file holds base64 so an operator can back it up or move it into TESSERA_SECRET by copy and paste.
 */
export function readOrCreateKeyFile(path: string): Buffer {
  if (!exists(path)) createKeyFile(path)
  return readKeyFile(path)
}

function readKeyFile(path: string): Buffer {
  const stat = statSync(path)
  if (!stat.isFile()) throw new Error(`The master key ${path} is not a regular file.`)
  // POSIX permission bits mean nothing on Windows, where access is governed by ACLs instead.
  if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
    const mode = (stat.mode & 0o777).toString(8).padStart(3, '0')
    throw new Error(
      `The master key ${path} is readable or writable by group or others (mode ${mode}); ` +
        `it must be private to its owner. Run: chmod 600 ${path}`,
    )
  }
  const text = readFileSync(path, 'utf8').trim()
  const secret = Buffer.from(text, 'base64')
  if (secret.toString('base64') !== text || secret.length < MASTER_SECRET_BYTES) {
    throw new Error(
      `The master key ${path} is not ${MASTER_SECRET_BYTES} or more bytes of base64; restore it from a backup.`,
    )
  }
  return secret
}

/**
 * Writes a fresh secret to a private temporary file and hard-links it into place. The link fails if
 * another process got there first, so two servers starting together agree on one key, and no reader
 * ever sees a half-written file. The fsync matters: losing this key loses every value sealed with it.
 */
function createKeyFile(path: string): void {
  const folder = dirname(path)
  mkdirSync(folder, { recursive: true, mode: 0o700 })
  const temporary = join(folder, `.master.key.${process.pid}.${randomBytes(6).toString('hex')}`)
  const fd = openSync(temporary, 'wx', 0o600)
  try {
    writeSync(fd, `${randomBytes(MASTER_SECRET_BYTES).toString('base64')}\n`)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  try {
    linkSync(temporary, path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  } finally {
    unlinkSync(temporary)
  }
}

function exists(path: string): boolean {
  try {
    statSync(path)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw error
  }
}
