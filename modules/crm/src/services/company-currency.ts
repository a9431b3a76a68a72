import type { EntityContext } from '@tessera/kernel'

/** The currency of the member's current company (else the tenant's first): what totals are in. */
export async function companyCurrency(ctx: EntityContext): Promise<string> {
  let select = ctx.db.selectFrom('companies').select('currency').orderBy('created_at').limit(1)
  if (ctx.companyId) select = select.where('id', '=', ctx.companyId)
  const row = await select.executeTakeFirst()
  return row?.currency ?? 'EUR'
}
