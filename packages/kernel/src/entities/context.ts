import type { Tx } from '../db/schema.ts'
import type { Actor } from '../identity/authenticate.ts'

/**
 * What every entity operation, workflow guard and effect receives (DESIGN.md, "Context, not
 * containers"): the request's tenant transaction and who is acting. Tests build it directly.
 */
export interface EntityContext {
  /** the request's tenant transaction: every read and write of the operation happens in it */
  db: Tx
  actor: Actor
  /** the member's current company: the default for new company-scoped records */
  companyId: string | null
  requestId?: string
  /**
   * What one operation already loaded (models, record rules, field masks), so a write with lines,
   * references and includes reads each once. It lives as long as the context: one request's
   * transaction, in which definitions do not change.
   */
  memo?: Map<string, Promise<unknown>>
}

/** The context of an actor's request inside `trx`. */
export function entityContext(db: Tx, actor: Actor, requestId?: string): EntityContext {
  return { db, actor, companyId: actor.companyId, memo: new Map(), ...(requestId ? { requestId } : {}) }
}

/** `load()` once per context and key. */
export function remember<T>(ctx: EntityContext, key: string, load: () => Promise<T>): Promise<T> {
  ctx.memo ??= new Map()
  let found = ctx.memo.get(key) as Promise<T> | undefined
  if (!found) {
    found = load()
    ctx.memo.set(key, found)
  }
  return found
}
