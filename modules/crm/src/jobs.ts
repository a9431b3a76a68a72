import { type Db, isModuleActive, withSystem, withTenant } from '@tessera/kernel'
import { recomputeConfidence } from './services/confidence-store.ts'

/**
 * Every night, each tenant with CRM active recomputes its open deals' confidence: time alone
 * changes it (idle days grow, close dates pass) and no event says so.
 */
export async function recomputeAllTenants({ db }: { db: Db }): Promise<void> {
  const tenants = await withSystem(db, (trx) => trx.selectFrom('tenants').select('id').execute())
  for (const { id } of tenants) {
    await withTenant(db, id, async (trx) => {
      if (await isModuleActive(trx, 'crm')) await recomputeConfidence(trx, id)
    })
  }
}
