import type { Db, Tx } from '../db/schema.ts'
import { enterTenant, isUuid } from '../db/tenant.ts'
import { Invalid } from '../errors/errors.ts'
import { chainHash, contentOf, GENESIS_HASH } from './chain.ts'
import { auditTx } from './tables.ts'

/** Where a chain stops being trustworthy: the first row that does not link, and why. */
export interface BrokenLink {
  seq: number
  /** the row's id; null when the row is missing (the head names rows that are gone) */
  id: string | null
  reason: string
}

export interface ChainReport {
  /** rows that verified, in order from seq 1 */
  verified: number
  /** the hash of the last verified row: note it down to notice a rewritten history later */
  head: string
  broken: BrokenLink | null
}

const BATCH = 1000

/**
 * Recomputes a tenant's audit chain from its first row: every seq present once and in order,
 * every `prev_hash` the previous row's hash, every hash the hash of the row's content, and the
 * chain head naming the last row. Reads one snapshot (repeatable read), so rows committed
 * meanwhile neither count nor look missing. Stops at the first broken link.
 */
export async function verifyAuditChain(db: Db, tenantId: string): Promise<ChainReport> {
  if (!isUuid(tenantId)) throw Invalid.field('tenant_id', 'The tenant id is not a UUID.')
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      await enterTenant(trx, tenantId)
      return walkChain(trx, tenantId)
    })
}

async function walkChain(trx: Tx, tenantId: string): Promise<ChainReport> {
  const db = auditTx(trx)
  const head = await db
    .selectFrom('audit_heads')
    .select(['seq', 'hash'])
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst()
  const headSeq = Number(head?.seq ?? 0)
  let verified = 0
  let prevHash = GENESIS_HASH
  let lastId: string | null = null
  const broken = (seq: number, id: string | null, reason: string): ChainReport => ({
    verified,
    head: prevHash,
    broken: { seq, id, reason },
  })
  for (;;) {
    const rows = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>', String(verified))
      .orderBy('seq')
      .limit(BATCH)
      .execute()
    for (const row of rows) {
      const seq = Number(row.seq)
      if (seq !== verified + 1) return broken(verified + 1, null, `row ${verified + 1} is missing`)
      if (seq > headSeq) return broken(seq, row.id, `it is beyond the chain head (${headSeq})`)
      if (row.prev_hash !== prevHash)
        return broken(seq, row.id, 'its prev_hash is not the hash of the row before it')
      if (chainHash(contentOf(row), prevHash) !== row.hash)
        return broken(seq, row.id, 'its content does not match its hash')
      verified = seq
      prevHash = row.hash
      lastId = row.id
    }
    if (rows.length < BATCH) break
  }
  if (headSeq > verified) return broken(verified + 1, null, `rows ${verified + 1} to ${headSeq} are missing`)
  if (head && head.hash !== prevHash)
    return broken(verified, lastId, 'the chain head holds another hash than this row')
  return { verified, head: prevHash, broken: null }
}
