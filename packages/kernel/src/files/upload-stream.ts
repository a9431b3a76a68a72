import { type Readable, Transform } from 'node:stream'
import { Invalid, TesseraError } from '../errors/errors.ts'
import { SNIFF_BYTES } from './sniff.ts'

/** 413: the upload is larger than TESSERA_FILE_LIMIT. */
export class FileTooLarge extends TesseraError {
  readonly status = 413
  constructor(limit: number) {
    const message = `The file is larger than the ${limit} bytes this server accepts.`
    super('file_too_large', message, [{ field: 'file', code: 'file_too_large', message }])
  }
}

/** An upload on its way to storage: its first bytes, kept for sniffing. */
export interface Upload {
  stream: Readable
  head(): Buffer
}

/**
 * Passes `source` on, failing with FileTooLarge as soon as more than `limit` bytes arrive, and
 * keeps the first SNIFF_BYTES. The source is piped, never destroyed: after a refusal the HTTP
 * server can still answer 413 while the rest of the request is read and dropped.
 */
export function limitUpload(source: Readable, limit: number): Upload {
  const first: Buffer[] = []
  let kept = 0
  let received = 0
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length
      if (received > limit) return done(new FileTooLarge(limit))
      if (kept < SNIFF_BYTES) {
        const part = chunk.subarray(0, SNIFF_BYTES - kept)
        first.push(Buffer.from(part))
        kept += part.length
      }
      done(null, chunk)
    },
  })
  const incomplete = () =>
    Invalid.field(
      'file',
      'The file ended before it was complete, or its form is malformed.',
      'upload_incomplete',
    )
  // the source breaks when the client does (a connection cut, a malformed form): their error
  source.once('error', () => stream.destroy(incomplete()))
  // a source closed before its end without an error (a form parser torn down) must not leave the
  // storage waiting for the rest
  source.once('close', () => {
    if (!source.readableEnded && !stream.destroyed) stream.destroy(incomplete())
  })
  // A buffered source (a multipart part) can overflow before the storage starts reading: the
  // stream then keeps its error for the consumer (pipeline rejects with it) instead of crashing
  // the process for want of a listener.
  stream.on('error', () => {})
  // Refused or failed before the end: discard the rest, so the connection can answer and be reused.
  stream.once('close', () => {
    if (source.readableEnded) return
    source.unpipe(stream)
    source.resume()
  })
  source.pipe(stream)
  return { stream, head: () => Buffer.concat(first) }
}
