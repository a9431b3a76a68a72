import { parentPort, workerData } from 'node:worker_threads'
import { type HttpRequest, send } from './http.ts'
import type { LoadJob, LoadResult } from './load.ts'
import { closedLoop } from './stats.ts'

/** Runs in its own thread, so the load generator's work stays off the server's event loop. */
const { baseUrl, token, requests, concurrency } = workerData as LoadJob
const failures: LoadResult['failures'] = []
const stats = await closedLoop(requests.length, concurrency, async (i) => {
  const res = await send(baseUrl, token, requests[i] as HttpRequest)
  if (!res.ok) failures.push({ index: i, status: res.status, body: res.body.slice(0, 500) })
})
parentPort?.postMessage({ stats, failures } satisfies LoadResult)
