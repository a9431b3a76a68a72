import {
  BusinessRule,
  type EntityContext,
  type EntityModel,
  type JsonRecord,
  type ListQuery,
  listRecords,
  loadModel,
} from '@tessera/kernel'

/** Pages read at most for one answer (pipeline, focus): 200 each, so 5,000 records. */
const MAX_PAGES = 25

/** The entity's model in this tenant (its module active), or 422. */
export async function modelOf(ctx: EntityContext, key: string): Promise<EntityModel> {
  const model = await loadModel(ctx.db, key)
  if (!model) throw new BusinessRule('module_inactive', `${key} is not available in this tenant.`)
  return model
}

/**
 * Every record the member may see that matches `query`, through the entity store (rights, record
 * rules and field masks apply as to the API), paged internally.
 */
export async function allRecords(
  ctx: EntityContext,
  key: string,
  query: Omit<ListQuery, 'limit' | 'cursor'>,
) {
  const model = await modelOf(ctx, key)
  const out: JsonRecord[] = []
  let cursor: string | undefined
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await listRecords(ctx, model, { ...query, limit: 200, ...(cursor ? { cursor } : {}) })
    out.push(...result.data)
    if (!result.next_cursor) break
    cursor = result.next_cursor
  }
  return out
}

/** A filter literal: the value quoted for the filter language (quotes doubled). */
export const literal = (value: string) => `'${value.replaceAll("'", "''")}'`

/** An included reference as a card shows it: its id and display name, or just the id it stayed. */
export function ref(value: unknown): { id: string; name: string | null } | null {
  if (value === null || value === undefined) return null
  if (typeof value === 'string') return { id: value, name: null }
  const record = value as JsonRecord
  return { id: record.id as string, name: (record.name as string | undefined) ?? null }
}
