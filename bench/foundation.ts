import { createTenant, type Database, kernelMigrations, migrate, withTenant } from '@tessera/kernel'
import type { Modules } from './app.ts'
import { closedLoop, round, timed } from './stats.ts'

/** One figure of the foundation bench: start-up, migrations, tenant transactions, bare HTTP. */
export interface Measure {
  name: string
  value: number
  unit: string
}

export type Record = (name: string, value: number, unit: string) => void

export function measures(): { list: Measure[]; record: Record } {
  const list: Measure[] = []
  return { list, record: (name, value, unit) => void list.push({ name, value: round(value), unit }) }
}

/** Migrates an empty database: the kernel first (timed alone, as before modules existed), then the modules. */
export async function migrateMeasured(database: Database, modules: Modules, record: Record): Promise<void> {
  const [, kernelMs] = await timed(() => migrate(database.db, [kernelMigrations]))
  record('migrate from empty', kernelMs, 'ms')
  const [, modulesMs] = await timed(() => migrate(database.db, modules.migrations))
  record('migrate modules after the kernel', modulesMs, 'ms')
}

/** The cost of the tenant transaction every request pays: begin, role and tenant, one select, commit. */
export async function tenantTransactions(database: Database, record: Record): Promise<void> {
  const { tenant } = await createTenant(database.db, {
    name: `Bench ${Date.now()}`,
    company: { currency: 'EUR' },
  })
  const n = 2000
  const [, ms] = await timed(async () => {
    for (let i = 0; i < n; i++) {
      await withTenant(database.db, tenant.id, (trx) => trx.selectFrom('companies').select('id').execute())
    }
  })
  record('withTenant transaction + select', (n / ms) * 1000, 'ops/s')
}

/** The HTTP floor: Fastify, its hooks and one trivial route (readyz also asks the database). */
export async function bareHttp(url: string, record: Record): Promise<void> {
  for (const path of ['/healthz', '/readyz']) {
    const stats = await closedLoop(2000, 10, async () => {
      await (await fetch(`${url}${path}`)).arrayBuffer()
    })
    record(`GET ${path} (10 concurrent)`, stats.perSecond, 'req/s')
  }
}
