/** Latency figures of one measured run, in milliseconds, and its throughput. */
export interface RunStats {
  requests: number
  elapsedMs: number
  perSecond: number
  p50: number
  p95: number
  p99: number
}

/** Nearest-rank percentile of ascending `sorted` values (p in 0..100). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number
}

export function summarize(latencies: readonly number[], elapsedMs: number): RunStats {
  const sorted = [...latencies].sort((a, b) => a - b)
  return {
    requests: latencies.length,
    elapsedMs: round(elapsedMs),
    perSecond: round((latencies.length / elapsedMs) * 1000),
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
  }
}

export const round = (value: number, digits = 2): number => {
  const scale = 10 ** digits
  return Math.round(value * scale) / scale
}

export async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now()
  const value = await fn()
  return [value, performance.now() - start]
}

/**
 * Runs `total` jobs with `concurrency` workers pulling the next index, timing each job: the
 * closed-loop model of N clients each sending its next request as soon as the last one answered.
 */
export async function closedLoop(
  total: number,
  concurrency: number,
  job: (index: number) => Promise<void>,
): Promise<RunStats> {
  const latencies: number[] = []
  let next = 0
  const [, elapsedMs] = await timed(() =>
    Promise.all(
      Array.from({ length: Math.min(concurrency, total) }, async () => {
        for (let i = next++; i < total; i = next++) {
          const start = performance.now()
          await job(i)
          latencies.push(performance.now() - start)
        }
      }),
    ),
  )
  return summarize(latencies, elapsedMs)
}
