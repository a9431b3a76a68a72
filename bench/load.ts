import { Worker } from 'node:worker_threads'
import type { HttpRequest } from './http.ts'
import type { RunStats } from './stats.ts'

export interface LoadJob {
  baseUrl: string
  token: string
  requests: HttpRequest[]
  concurrency: number
}

export interface LoadResult {
  stats: RunStats
  failures: { index: number; status: number; body: string }[]
}

/**
 * Sends `requests` over real HTTP with `concurrency` clients (fetch, keep-alive) from a worker
 * thread. tsx does not reach worker threads by itself on Node 20, so the worker loads through
 * tsx's API. Throws when any request failed: a bench of errors measures nothing.
 */
export async function load(job: LoadJob): Promise<RunStats> {
  const file = new URL('./load-worker.ts', import.meta.url).href
  const api = import.meta.resolve('tsx/esm/api')
  const boot = `import(${JSON.stringify(api)}).then(({ tsImport }) => tsImport(${JSON.stringify(file)}, ${JSON.stringify(file)}))`
  const result = await new Promise<LoadResult>((resolve, reject) => {
    const worker = new Worker(boot, { eval: true, workerData: job })
    worker.once('message', (message: LoadResult) => {
      resolve(message)
      void worker.terminate()
    })
    worker.once('error', reject)
    worker.once('exit', (code) => reject(new Error(`the load worker exited (${code}) before answering`)))
  })
  if (result.failures.length > 0) {
    const first = result.failures[0]
    throw new Error(
      `${result.failures.length} of ${job.requests.length} requests failed; first: #${first?.index} ${first?.status} ${first?.body}`,
    )
  }
  return result.stats
}
