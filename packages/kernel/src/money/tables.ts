import type { ColumnType } from 'kysely'
import type { Tx } from '../db/schema.ts'

/** A tenant's exchange rate (migration 0020_exchange_rates.sql): 1 `base` = `rate` `quote`. */
export interface ExchangeRatesTable {
  tenant_id: string
  id: string
  base: string
  quote: string
  rate: string
  valid_on: ColumnType<string, string, string>
  created_at: ColumnType<Date, Date | string | undefined, never>
  created_by: string | null
}

export const moneyTx = (trx: Tx) => trx.withTables<{ exchange_rates: ExchangeRatesTable }>()
