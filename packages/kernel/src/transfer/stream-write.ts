import type { Writable } from 'node:stream'

/**
 * Writes to `out` and, when its buffer is full, waits until it drains. A reader that went away
 * (the stream closed or failed) ends the wait with an error, so an export never holds its
 * transaction open for a client that is gone.
 */
export async function writeChunk(out: Writable, chunk: string | Buffer): Promise<void> {
  if (out.destroyed) throw new Error('export: the reader went away')
  if (out.write(chunk)) return
  await drained(out)
}

/** Resolves once `out` can take more, rejects when it closes first. */
export function drained(out: Writable): Promise<void> {
  if (!out.writableNeedDrain) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const done = () => {
      out.off('close', gone)
      resolve()
    }
    const gone = () => {
      out.off('drain', done)
      reject(new Error('export: the reader went away'))
    }
    out.once('drain', done)
    out.once('close', gone)
  })
}

/**
 * `work` (a writer that waits for its stream to finish, like exceljs' commit), abandoned with an
 * error if the stream closes first: a destroyed stream never finishes, and the export's
 * transaction must not wait for it.
 */
export function whileOpen<T>(out: Writable, work: Promise<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    const gone = () => {
      if (!out.writableFinished) reject(new Error('export: the reader went away'))
    }
    if (out.destroyed) gone()
    out.once('close', gone)
    work.then(
      (value) => {
        out.off('close', gone)
        resolve(value)
      },
      (err) => {
        out.off('close', gone)
        reject(err)
      },
    )
  })
}
