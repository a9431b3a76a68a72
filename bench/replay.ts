import { newId } from '@tessera/kernel'
import type pg from 'pg'
import type { Statement } from './sql-counter.ts'
import { closedLoop, type RunStats } from './stats.ts'

/** old value → new value, replaced wherever it appears in a parameter (inside JSON text too) */
export type Substitutions = Map<string, string>

/**
 * Sends one request's statements `total` times straight through `pool` with `concurrency` callers:
 * what the database work of the request costs without HTTP, auth, validation and Kysely. Each
 * replay keeps the request's shape: the statements that ran on one pooled connection run on one
 * checked-out client, in order, begin/set_config/commit included. `variant(i)` says what to change
 * in the parameters of replay i, so writes do not collide (see entities.ts).
 */
export function replay(
  pool: pg.Pool,
  statements: readonly Statement[],
  total: number,
  concurrency: number,
  variant: (index: number) => Substitutions,
): Promise<RunStats> {
  const runs = connectionRuns(statements)
  return closedLoop(total, concurrency, async (i) => {
    const substitutions = variant(i)
    for (const run of runs) {
      const client = await pool.connect()
      try {
        let head: number | undefined
        for (const statement of run) {
          const values = substitute(statement.values, substitutions)
          const result = await client.query(statement.text, liveAuditSeq(statement, values, head))
          if (statement.text.includes(AUDIT_HEAD)) head = Number(result.rows[0]?.seq)
        }
      } finally {
        client.release()
      }
    }
  })
}

const AUDIT_HEAD = 'insert into audit_heads'
const AUDIT_APPEND = 'update audit_heads set seq'

/**
 * The audit append with the number the chain head gives now (see appendAudit): the recorded
 * number is taken, and replaying it would break the chain's unique (tenant, seq). The hash is
 * left as recorded: the bench measures the work, not the chain, in a scratch database.
 */
function liveAuditSeq(statement: Statement, values: unknown[], head: number | undefined): unknown[] {
  if (head === undefined || !statement.text.includes(AUDIT_APPEND)) return values
  const recorded = statement.values[0]
  return values.map((value) => (value === recorded ? head + 1 : value))
}

/** Consecutive statements on the same connection, as a request checked clients out of the pool. */
export function connectionRuns(statements: readonly Statement[]): Statement[][] {
  const runs: Statement[][] = []
  for (const statement of statements) {
    const last = runs.at(-1)
    if (last && last[0]?.connection === statement.connection) last.push(statement)
    else runs.push([statement])
  }
  return runs
}

export function substitute(values: readonly unknown[], substitutions: Substitutions): unknown[] {
  if (substitutions.size === 0) return [...values]
  return values.map((value) => substituteValue(value, substitutions))
}

function substituteValue(value: unknown, substitutions: Substitutions): unknown {
  if (typeof value === 'string') {
    let out = value
    for (const [from, to] of substitutions) out = out.replaceAll(from, to)
    return out
  }
  if (Array.isArray(value)) return value.map((item) => substituteValue(item, substitutions))
  if (value && typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value))
    return JSON.parse(substituteValue(JSON.stringify(value), substitutions) as string)
  return value
}

const UUID_V7 = /[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/gi

/**
 * The UUIDv7 values in the parameters minted at or after `since` (ms since the epoch): the ids
 * the request generated (the record, its lines, its audit rows), which a replay must not reuse.
 * Older v7 ids (tenant, user, tags) are references and stay.
 */
export function idsMintedSince(statements: readonly Statement[], since: number): string[] {
  const found = new Set<string>()
  for (const statement of statements)
    for (const match of JSON.stringify(statement.values).matchAll(UUID_V7)) {
      const id = match[0].toLowerCase()
      if (Number.parseInt(id.replace('-', '').slice(0, 12), 16) >= since) found.add(id)
    }
  return [...found]
}

/** Each minted id replaced by a fresh one, consistently within one replay. */
export function freshIds(minted: readonly string[]): Substitutions {
  return new Map(minted.map((id) => [id, newId()]))
}
