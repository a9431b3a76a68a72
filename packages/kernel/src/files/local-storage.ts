import { createHash, randomUUID } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, open, rename, rm } from 'node:fs/promises'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { NotFound } from '../errors/errors.ts'
import { assertStorageKey, type FileStorage, type StoredContent } from './storage.ts'

/**
 * File contents in a folder (`<data dir>/files`): one file per key, `<tenant id>/<file id>/<blob id>`.
 * A put writes a temporary file next to the target, flushes it to disk and renames it into place,
 * so a reader or a crash sees the whole content or none of it.
 */
export function localFileStorage(root: string): FileStorage {
  const base = resolve(root)
  const pathOf = (key: string) => {
    assertStorageKey(key)
    const path = join(base, ...key.split('/'))
    // the key's alphabet already rules `..` out; this says so to anyone changing it
    if (relative(base, path).startsWith(`..${sep}`)) throw new Error('files: a key left the storage folder')
    return path
  }

  return {
    async put(key, content) {
      const target = pathOf(key)
      await mkdir(dirname(target), { recursive: true, mode: 0o700 })
      const temp = `${target}.${randomUUID()}.tmp`
      const hash = createHash('sha256')
      let size = 0
      const measure = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          hash.update(chunk)
          size += chunk.length
          done(null, chunk)
        },
      })
      const source = Buffer.isBuffer(content) ? Readable.from([content]) : content
      try {
        await pipeline(source, measure, createWriteStream(temp, { flags: 'wx', mode: 0o600 }))
        await flush(temp)
        await rename(temp, target)
      } catch (err) {
        await rm(temp, { force: true })
        throw err
      }
      await flush(dirname(target))
      return { size, sha256: hash.digest('hex') } satisfies StoredContent
    },

    async get(key) {
      const handle = await open(pathOf(key), 'r').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') throw new NotFound('The file content is missing.', 'file_content_missing')
        throw err
      })
      return handle.createReadStream()
    },

    async delete(key) {
      await rm(pathOf(key), { force: true })
    },
  }
}

/** fsync: the content (or a folder's new entry) survives a crash once this returns. */
async function flush(path: string): Promise<void> {
  const handle = await open(path, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}
