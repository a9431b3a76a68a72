import type { Readable } from 'node:stream'

/** What a storage reports about bytes it has stored. */
export interface StoredContent {
  size: number
  /** lowercase hex */
  sha256: string
}

/**
 * Where file contents live. Keys are made by `storageKey` from ids only (never from a name a
 * client sent), so a key cannot point outside the tenant's files whatever the implementation.
 * The local folder implements it now; an S3-compatible bucket can later, with the same keys.
 */
export interface FileStorage {
  /** Stores the bytes under `key`, all or nothing: a failed put leaves nothing behind. */
  put(key: string, content: Readable | Buffer): Promise<StoredContent>
  /** The bytes stored under `key`; NotFound when there are none. */
  get(key: string): Promise<Readable>
  /** Removes `key`; removing a missing key is not an error. */
  delete(key: string): Promise<void>
}

/** A key: path segments of letters, digits, `-` and `_` only; no `.`, so no `..`. */
export const STORAGE_KEY = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/

/** The key of one version's bytes: `<tenant id>/<file id>/<blob id>`. */
export function storageKey(tenantId: string, fileId: string, blobId: string): string {
  const key = `${tenantId}/${fileId}/${blobId}`
  assertStorageKey(key)
  return key
}

export function assertStorageKey(key: string): void {
  if (!STORAGE_KEY.test(key))
    throw new Error(`files: ${JSON.stringify(key.slice(0, 200))} is not a storage key`)
}
