import type { EntityContext } from '../context.ts'

let units: Map<string, number> | undefined

/**
 * ISO 4217 minor units by currency code. The `currencies` table is global reference data that
 * only migrations change, so one read per process is enough.
 */
export async function currencyUnits(ctx: EntityContext): Promise<ReadonlyMap<string, number>> {
  if (!units) {
    const rows = await ctx.db.selectFrom('currencies').select(['code', 'minor_unit']).execute()
    units = new Map(rows.map((r) => [r.code, r.minor_unit]))
  }
  return units
}
