/**
 * `npm run bench`: measures what the foundation promises, prints a table and writes
 * bench/results.json. Embedded database always; a PostgreSQL server too when
 * TESSERA_BENCH_DATABASE_URL names a scratch database (it is migrated and written to).
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import {
  createIdentityContext,
  createTenant,
  type Database,
  kernelMigrations,
  loadConfig,
  loadSecrets,
  migrate,
  openDatabase,
  withTenant,
} from '@tessera/kernel'
import { buildApp } from '@tessera/server'

interface Result {
  name: string
  database: string
  value: number
  unit: string
}

const results: Result[] = []
const record = (name: string, database: string, value: number, unit: string) => {
  results.push({ name, database, value: Math.round(value * 100) / 100, unit })
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now()
  const value = await fn()
  return [value, performance.now() - start]
}

async function benchDatabase(label: string, database: Database): Promise<void> {
  const [, migrateMs] = await timed(() => migrate(database.db, [kernelMigrations]))
  record('migrate from empty', label, migrateMs, 'ms')

  const { tenant } = await createTenant(database.db, {
    name: `Bench ${Date.now()}`,
    company: { currency: 'EUR' },
  })
  const n = 2000
  const [, txMs] = await timed(async () => {
    for (let i = 0; i < n; i++) {
      await withTenant(database.db, tenant.id, (trx) => trx.selectFrom('companies').select('id').execute())
    }
  })
  record('withTenant transaction + select', label, (n / txMs) * 1000, 'ops/s')

  const config = loadConfig({ LOG_LEVEL: 'silent' })
  const secrets = loadSecrets({
    dataDir: config.dataDir,
    env: { TESSERA_SECRET: randomBytes(32).toString('hex') },
  })
  const identity = createIdentityContext(database.db, secrets)
  const app = await buildApp({ database, migrations: [kernelMigrations], identity, config })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  for (const path of ['/healthz', '/readyz']) {
    const requests = 2000
    const concurrency = 10
    let next = 0
    const [, httpMs] = await timed(() =>
      Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next++ < requests) await (await fetch(`${url}${path}`)).arrayBuffer()
        }),
      ),
    )
    record(`GET ${path} (10 concurrent)`, label, (requests / httpMs) * 1000, 'req/s')
  }
  await app.close()
  record('resident memory after run', label, process.memoryUsage().rss / 1024 / 1024, 'MiB')
}

const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-'))
try {
  const [pglite, startMs] = await timed(() => PGlite.create(join(dir, 'pg')))
  record('embedded database cold start', 'embedded', startMs, 'ms')
  const embedded = await openDatabase({ kind: 'pglite', pglite })
  await benchDatabase('embedded', embedded)
  await embedded.close()
  await pglite.close()

  const url = process.env.TESSERA_BENCH_DATABASE_URL
  if (url) {
    const server = await openDatabase({ kind: 'server', url })
    await benchDatabase('server', server)
    await server.close()
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}

console.table(results)
writeFileSync(
  new URL('./results.json', import.meta.url),
  `${JSON.stringify({ at: new Date().toISOString(), results }, null, 2)}\n`,
)
console.log('Results written to bench/results.json')
