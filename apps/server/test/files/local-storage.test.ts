import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { buffer } from 'node:stream/consumers'
import { type FileStorage, localFileStorage, newId, storageKey } from '@tessera/kernel'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { filesUnder } from './helpers.ts'

/** The local implementation of FileStorage: what an S3-compatible one must do the same way. */
let root: string
let storage: FileStorage
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tessera-storage-'))
  storage = localFileStorage(root)
})
afterAll(async () => rm(root, { recursive: true, force: true }))

const key = () => storageKey(newId(), newId(), newId())

describe('localFileStorage', () => {
  it('stores a stream or a buffer, reports size and SHA-256, reads it back and deletes it', async () => {
    const bytes = Buffer.from('hello, files')
    const streamed = key()
    expect(await storage.put(streamed, Readable.from([bytes.subarray(0, 5), bytes.subarray(5)]))).toEqual({
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    })
    expect((await buffer(await storage.get(streamed))).equals(bytes)).toBe(true)
    const buffered = key()
    expect((await storage.put(buffered, bytes)).size).toBe(bytes.length)
    await storage.delete(streamed)
    await storage.delete(streamed)
    await expect(storage.get(streamed)).rejects.toMatchObject({ status: 404 })
    expect(await filesUnder(root)).toEqual([buffered])
  })

  it('leaves nothing behind when the content fails half-way', async () => {
    const before = await filesUnder(root)
    const failing = new Readable({
      read() {
        this.push(Buffer.alloc(1000))
        this.destroy(new Error('client went away'))
      },
    })
    const target = key()
    await expect(storage.put(target, failing)).rejects.toThrow('client went away')
    expect(await filesUnder(root)).toEqual(before)
  })

  it.each(['../outside', 'a/../../b', '/etc/passwd', 'a/.hidden', 'a//b', 'a\\b', '', 'a/b/'])(
    'refuses the key %j',
    async (bad) => {
      await expect(storage.put(bad, Buffer.from('x'))).rejects.toThrow(/not a storage key/)
      await expect(storage.get(bad)).rejects.toThrow(/not a storage key/)
      await expect(storage.delete(bad)).rejects.toThrow(/not a storage key/)
    },
  )
})
