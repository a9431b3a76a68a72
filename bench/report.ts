import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { PartnersResult } from './entities.ts'
import type { Measure } from './foundation.ts'

/** Everything one database's run measured, as written to the results file. */
export interface DatabaseRun {
  at: string
  database: { kind: 'embedded' | 'server'; version: string; note: string }
  machine: { node: string; cpus: number; platform: string }
  foundation: Measure[]
  partners: PartnersResult
}

export function printRun(run: DatabaseRun): void {
  console.log(`\n${run.database.kind}: ${run.database.version} (${run.database.note})`)
  console.table(Object.fromEntries(run.foundation.map((m) => [m.name, { value: m.value, unit: m.unit }])))
  const { seeded, options } = run.partners
  console.log(
    `partners: ${seeded.partners} contacts seeded in ${seeded.ms} ms by ${seeded.method}; ` +
      `${options.requests} requests per operation, ${options.concurrency} concurrent clients`,
  )
  console.table(
    Object.fromEntries(
      run.partners.operations.map((o) => [
        o.operation,
        {
          'req/s': o.http.perSecond,
          'p50 ms': o.http.p50,
          'p95 ms': o.http.p95,
          'p99 ms': o.http.p99,
          'SQL/req': o.statementsPerRequest,
          'direct req/s': o.direct.perSecond,
          'direct p50 ms': o.direct.p50,
          'http/direct': o.ratio,
        },
      ]),
    ),
  )
}

/**
 * Writes the run into bench/results/<YYYY-MM-DD>.json, keyed by database so the day's embedded
 * and server runs sit side by side (a later run of the same kind replaces the earlier one),
 * formatted by Biome as the repository's other files are, and copies that file to
 * bench/results.json, the latest results the README points at.
 */
export function writeRun(run: DatabaseRun): string {
  const dir = new URL('./results/', import.meta.url)
  mkdirSync(dir, { recursive: true })
  const date = run.at.slice(0, 10)
  const file = new URL(`${date}.json`, dir)
  const day = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as { date: string; runs: Record<string, DatabaseRun> })
    : { date, runs: {} }
  day.runs[run.database.kind] = run
  writeFileSync(file, `${JSON.stringify(day, null, 2)}\n`)
  const biome = fileURLToPath(import.meta.resolve('@biomejs/biome/bin/biome'))
  execFileSync(process.execPath, [biome, 'format', '--write', fileURLToPath(file)], { stdio: 'ignore' })
  copyFileSync(file, new URL('./results.json', import.meta.url))
  return `bench/results/${date}.json`
}
