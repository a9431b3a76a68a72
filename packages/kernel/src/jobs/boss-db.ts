import { CompiledQuery, sql } from 'kysely'
import { OWNER_ROLE } from '../db/roles.ts'
import type { Db, Tx } from '../db/schema.ts'

/** What pg-boss calls to run its SQL (its `db` option). */
export interface BossDb {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>
}

/**
 * pg-boss's SQL through Kysely, as the owner role: so its schema and tables belong to the role that
 * owns every other table (never to the connecting user), on the embedded database through the one
 * shared connection and on a server through a pool of its own. Each statement holds the
 * connection only while it runs; the role is set for the session and reset before the connection
 * goes back, because pg-boss's own scripts open and commit transactions themselves.
 */
export function ownerBossDb(db: Db): BossDb & { settled(): Promise<void> } {
  const running = new Set<Promise<unknown>>()
  async function run(text: string, values: unknown[]) {
    return db.connection().execute(async (conn) => {
      await sql`select set_config('role', ${OWNER_ROLE}, false)`.execute(conn)
      try {
        const result = await conn.executeQuery(CompiledQuery.raw(text, values))
        return { rows: result.rows as unknown[] }
      } catch (err) {
        // a failed script that began a transaction leaves it open and aborted: end it here
        await sql`rollback`.execute(conn).catch(() => {})
        throw err
      } finally {
        await sql`reset role`.execute(conn)
      }
    })
  }
  return {
    executeSql(text, values = []) {
      const pending = run(text, values)
      running.add(pending)
      const forget = () => running.delete(pending)
      pending.then(forget, forget)
      return pending
    },
    async settled() {
      await Promise.allSettled([...running])
    },
  }
}

/**
 * pg-boss's SQL inside a tenant transaction, so a job is enqueued if and only if the transaction
 * commits. The job tables belong to the owner role, which the transaction becomes for the one
 * statement and then leaves for the role it had; the tenant setting is untouched.
 */
export function transactionBossDb(trx: Tx): BossDb {
  return {
    async executeSql(text, values = []) {
      const { rows } = await sql<{ role: string }>`select current_setting('role') as role`.execute(trx)
      const previous = rows[0]?.role ?? 'none'
      await sql`select set_config('role', ${OWNER_ROLE}, true)`.execute(trx)
      // on failure the transaction is aborted and will roll back: nothing to restore then
      const result = await trx.executeQuery(CompiledQuery.raw(text, values))
      await sql`select set_config('role', ${previous}, true)`.execute(trx)
      return { rows: result.rows as unknown[] }
    },
  }
}
