/**
 * Money (DESIGN.md principle 6): decimal amounts, rounding to each currency's minor unit, and the
 * tenants' exchange rates with the conversions that read them (issue 8).
 */
export {
  type AppliedRate,
  convertMoney,
  createConverter,
  latestRate,
  type Money,
  minorUnitOf,
  roundToMinorUnit,
  today,
} from './convert.ts'
export {
  deleteExchangeRate,
  ExchangeRateInput,
  ExchangeRateQuery,
  type ExchangeRateView,
  listExchangeRates,
  saveExchangeRate,
} from './rates.ts'
export type { ExchangeRatesTable } from './tables.ts'
