import { withTenant } from '@tessera/kernel'
import { sql } from 'kysely'
import type { BenchDatabase } from './database.ts'
import { type HttpRequest, send } from './http.ts'
import { load } from './load.ts'
import { freshIds, idsMintedSince, replay, type Substitutions } from './replay.ts'
import { type Seeded, seedPartners } from './seed.ts'
import { getJson, type Owner, refresh, signUpWithModule } from './session.ts'
import type { Statement } from './sql-counter.ts'
import { type RunStats, round } from './stats.ts'

export interface PartnersOptions {
  partners: number
  /** requests per operation, over HTTP and again directly */
  requests: number
  concurrency: number
}

export interface OperationResult {
  operation: string
  http: RunStats
  /** every statement the server sent during the run, divided by the requests */
  statementsPerRequest: number
  direct: RunStats
  /** HTTP req/s ÷ direct req/s: the share of the direct throughput the API keeps */
  ratio: number
  /** what each direct replay changed in the sample's parameters */
  replay: string
  sample: { request: HttpRequest; statements: Statement[] }
}

export interface PartnersResult {
  seeded: Seeded
  options: PartnersOptions
  operations: OperationResult[]
}

/** One operation of the bench: the requests it sends and how its recorded statements are replayed. */
interface Operation {
  name: string
  sample: HttpRequest
  request(i: number): HttpRequest
  /** replay i's substitutions, given the ids the sample request minted */
  variant(i: number, minted: readonly string[]): Substitutions
  replay: string
  /** called before the direct replay; the check it returns throws after it unless the writes landed */
  checkReplay?(): Promise<() => Promise<void>>
}

export const LIST_FILTER = "is_customer = true and vat_id starts_with 'DE'"

/**
 * The partners bench: a tenant with `partners` contacts, then create, get by id, filtered list
 * and update, each over HTTP with `concurrency` clients and again as the same SQL straight
 * through pg at the same concurrency on a pool as large as the application's.
 */
export async function benchPartners(
  bench: BenchDatabase,
  baseUrl: string,
  options: PartnersOptions,
): Promise<PartnersResult> {
  const owner = await signUpWithModule(baseUrl, 'partners')
  const seeded = await seedPartners(bench.database, owner.tenantId, owner.userId, options.partners)
  const tags = (await getJson(baseUrl, '/api/v1/partner-tags', owner)) as { data: { id: string }[] }
  const vip = tags.data[0]?.id
  if (!vip) throw new Error('the partners module seeded no tag')

  const n = options.requests
  // distinct seeded contacts (all at version 1): reads spread over the table; every update, over
  // HTTP or replayed, lands on a contact nobody updated before, so If-Match "1" holds and each
  // replay really writes (version 1 → 2, which the update's check counts)
  const ids = await sampleIds(bench, owner.tenantId, 3 * n + 1)
  const reads = ids.slice(0, n)
  const httpUpdates = ids.slice(n, 2 * n)
  const replayUpdates = ids.slice(2 * n, 3 * n)
  const updateSample = ids[3 * n] as string
  const readSample = reads[0] as string

  const createBody = (i: number) => ({
    kind: 'person',
    name: `Bench Contact ${i}`,
    email: `bench.contact.${i}@example.com`,
    phone: '+49 30 1234567',
    is_customer: true,
    tags: [vip],
    addresses: [
      { type: 'billing', street: `${i} Hauptstraße`, city: 'Berlin', postal_code: '10115', country: 'DE' },
    ],
  })
  const update = (id: string): HttpRequest => ({
    method: 'PATCH',
    path: `/api/v1/partners/${id}`,
    body: { phone: '+49 40 7654321', is_supplier: true },
    headers: { 'if-match': '"1"' },
  })
  const list: HttpRequest = {
    method: 'GET',
    path: `/api/v1/partners?filter=${encodeURIComponent(LIST_FILTER)}&sort=name&limit=50`,
  }
  const operations: Operation[] = [
    {
      name: 'create',
      sample: { method: 'POST', path: '/api/v1/partners', body: createBody(-1) },
      request: (i) => ({ method: 'POST', path: '/api/v1/partners', body: createBody(i) }),
      variant: (_i, minted) => freshIds(minted),
      replay: 'the ids the request minted (contact, address, …) replaced by fresh UUIDv7s in each replay',
      async checkReplay() {
        const before = await partnersCount(bench, owner.tenantId)
        return async () => {
          const wrote = (await partnersCount(bench, owner.tenantId)) - before
          if (wrote !== n) throw new Error(`the create replay wrote ${wrote} contacts, not ${n}`)
        }
      },
    },
    {
      name: 'get by id',
      sample: { method: 'GET', path: `/api/v1/partners/${readSample}` },
      request: (i) => ({ method: 'GET', path: `/api/v1/partners/${reads[i]}` }),
      variant: (i) => new Map([[readSample, reads[i] as string]]),
      replay: 'the same contacts as the HTTP run, in the same order',
    },
    {
      name: 'list (filtered, 50)',
      sample: list,
      request: () => list,
      variant: () => new Map(),
      replay: 'identical statements (read-only)',
    },
    {
      name: 'update',
      sample: update(updateSample),
      request: (i) => update(httpUpdates[i] as string),
      variant: (i, minted) => {
        const substitutions = freshIds(minted)
        substitutions.set(updateSample, replayUpdates[i] as string)
        return substitutions
      },
      replay: 'each replay updates another untouched contact (version 1); minted ids fresh',
      async checkReplay() {
        return async () => {
          const updated = await versionTwoCount(bench, owner.tenantId, replayUpdates)
          if (updated !== n) throw new Error(`the update replay changed ${updated} contacts, not ${n}`)
        }
      },
    },
  ]

  const results: OperationResult[] = []
  for (const operation of operations) {
    await refresh(baseUrl, owner)
    const sample = await recordSample(bench, baseUrl, owner, operation.sample)
    const counted = bench.counter.total
    const http = await load({
      baseUrl,
      token: owner.accessToken,
      concurrency: options.concurrency,
      requests: Array.from({ length: n }, (_, i) => operation.request(i)),
    })
    const statementsPerRequest = round((bench.counter.total - counted) / n)
    const check = await operation.checkReplay?.()
    const direct = await replay(bench.directPool(), sample.statements, n, options.concurrency, (i) =>
      operation.variant(i, sample.minted),
    )
    await check?.()
    results.push({
      operation: operation.name,
      http,
      statementsPerRequest,
      direct,
      ratio: round(http.perSecond / direct.perSecond, 3),
      replay: operation.replay,
      sample: { request: operation.sample, statements: sample.statements },
    })
  }
  return { seeded, options, operations: results }
}

/**
 * Sends one request alone and records the statements it caused, waiting briefly after the
 * response for any the server sends once it has answered.
 */
async function recordSample(bench: BenchDatabase, baseUrl: string, owner: Owner, request: HttpRequest) {
  const since = Date.now()
  const [, statements] = await bench.counter.capture(async () => {
    const res = await send(baseUrl, owner.accessToken, request)
    if (!res.ok) throw new Error(`${request.method} ${request.path}: ${res.status} ${res.body}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  })
  return { statements, minted: idsMintedSince(statements, since) }
}

async function sampleIds(bench: BenchDatabase, tenantId: string, count: number): Promise<string[]> {
  const rows = await withTenant(bench.database.db, tenantId, (trx) =>
    sql<{ id: string }>`select id from partners order by random() limit ${count}`.execute(trx),
  )
  if (rows.rows.length < count) throw new Error(`only ${rows.rows.length} contacts to pick ${count} from`)
  return rows.rows.map((r) => r.id)
}

async function partnersCount(bench: BenchDatabase, tenantId: string): Promise<number> {
  const { rows } = await withTenant(bench.database.db, tenantId, (trx) =>
    sql<{ n: number }>`select count(*)::int as n from partners`.execute(trx),
  )
  return rows[0]?.n ?? 0
}

async function versionTwoCount(bench: BenchDatabase, tenantId: string, ids: string[]): Promise<number> {
  const { rows } = await withTenant(bench.database.db, tenantId, (trx) =>
    sql<{
      n: number
    }>`select count(*)::int as n from partners where id = any(${ids}::uuid[]) and version = 2`.execute(trx),
  )
  return rows[0]?.n ?? 0
}
