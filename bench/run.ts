/**
 * `npm run bench`: the foundation figures (start-up, migrations, tenant transactions, bare HTTP)
 * and the partners bench (create, get, filtered list, update over HTTP with 32 clients on a tenant
 * of 100,000 contacts, against the same SQL straight through pg). Prints tables and writes
 * bench/results/<date>.json (and bench/results.json).
 *
 * Where it runs:
 * - DATABASE_URL set: on that PostgreSQL server, in a scratch database `tessera_bench_<time>_<pid>`
 *   created next to it and dropped at the end (the user needs CREATEDB);
 * - otherwise on the embedded database (PGlite in a temporary folder), and then also on
 *   TESSERA_BENCH_DATABASE_URL when set, which must name a scratch database: it is migrated and
 *   written to as it is, and kept.
 * BENCH_PARTNERS and BENCH_REQUESTS (per operation) shrink a run for a quick look.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { benchModules, startApp } from './app.ts'
import { type BenchTarget, createScratchDatabase, openBenchDatabase } from './database.ts'
import { benchPartners } from './entities.ts'
import { bareHttp, measures, migrateMeasured, tenantTransactions } from './foundation.ts'
import { type DatabaseRun, printRun, writeRun } from './report.ts'

const CONCURRENCY = 32
const PARTNERS = Number(process.env.BENCH_PARTNERS ?? 100_000)
/** PGlite serves one connection in this process, so the embedded run sends fewer requests. */
const REQUESTS = { embedded: 500, server: 2000 }

interface Target {
  kind: 'embedded' | 'server'
  /** how the database came to be, for the results */
  note: string
  open(dir: string): Promise<{ target: BenchTarget; done(): Promise<void> }>
}

function targets(): Target[] {
  const url = process.env.DATABASE_URL?.trim()
  if (url)
    return [
      {
        kind: 'server',
        note: 'scratch database next to DATABASE_URL, dropped after the run',
        async open() {
          const scratch = await createScratchDatabase(url)
          return { target: { kind: 'server', url: scratch.url }, done: scratch.drop }
        },
      },
    ]
  const embedded: Target = {
    kind: 'embedded',
    note: 'PGlite in a temporary folder',
    open: async (dir) => ({ target: { kind: 'embedded', dir }, done: async () => {} }),
  }
  const given = process.env.TESSERA_BENCH_DATABASE_URL?.trim()
  if (!given) return [embedded]
  return [
    embedded,
    {
      kind: 'server',
      note: 'TESSERA_BENCH_DATABASE_URL, used as it is',
      open: async () => ({ target: { kind: 'server', url: given }, done: async () => {} }),
    },
  ]
}

async function runOn(target: Target): Promise<DatabaseRun> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-'))
  const { target: where, done } = await target.open(dir)
  try {
    const bench = await openBenchDatabase(where)
    try {
      const { list, record } = measures()
      if (bench.coldStartMs !== undefined) record('embedded database cold start', bench.coldStartMs, 'ms')
      const modules = benchModules()
      await migrateMeasured(bench.database, modules, record)
      await tenantTransactions(bench.database, record)
      const { rows } = await sql<{ version: string }>`select version()`.execute(bench.database.db)
      const { app, url } = await startApp(bench.database, dir, modules)
      try {
        await bareHttp(url, record)
        const partners = await benchPartners(bench, url, {
          partners: PARTNERS,
          requests: Number(process.env.BENCH_REQUESTS ?? REQUESTS[target.kind]),
          concurrency: CONCURRENCY,
        })
        record('resident memory after run', process.memoryUsage().rss / 1024 / 1024, 'MiB')
        return {
          at: new Date().toISOString(),
          database: { kind: target.kind, version: rows[0]?.version ?? 'unknown', note: target.note },
          machine: { node: process.version, cpus: availableParallelism(), platform: process.platform },
          foundation: list,
          partners,
        }
      } finally {
        await app.close()
      }
    } finally {
      await bench.close()
    }
  } finally {
    await done()
    rmSync(dir, { recursive: true, force: true })
  }
}

for (const target of targets()) {
  const run = await runOn(target)
  printRun(run)
  console.log(`Results written to ${writeRun(run)} and bench/results.json`)
}
