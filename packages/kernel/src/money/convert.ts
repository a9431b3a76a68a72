import Decimal from 'decimal.js'
import type { Tx } from '../db/schema.ts'
import { moneyTx } from './tables.ts'

/** An amount of one currency as JSON carries it: a decimal string, never a float. */
export interface Money {
  amount: string
  currency: string
}

/** The rate that turns one unit of `from` into `to`, and the day it was set. */
export interface AppliedRate {
  rate: Decimal
  valid_on: string
}

/**
 * Rounds to the currency's ISO 4217 minor unit, half away from zero (as invoices and most
 * banks round a converted amount), and prints every place: `12.5` in EUR is `"12.50"`.
 */
export function roundToMinorUnit(amount: Decimal.Value, minorUnit: number): string {
  return new Decimal(amount).toDecimalPlaces(minorUnit, Decimal.ROUND_HALF_UP).toFixed(minorUnit)
}

/** The currency's minor unit (2 for EUR, 0 for JPY), or undefined for an unknown code. */
export async function minorUnitOf(trx: Tx, currency: string): Promise<number | undefined> {
  const row = await trx
    .selectFrom('currencies')
    .select('minor_unit')
    .where('code', '=', currency)
    .executeTakeFirst()
  return row?.minor_unit
}

/**
 * The latest rate from `from` to `to` valid on `on` (a `YYYY-MM-DD` day, default today): the pair
 * as entered, or the inverse of the opposite pair when only that one is known (the more recent of
 * the two wins). Undefined when the tenant has neither: the caller says what it could not convert,
 * it never guesses.
 */
export async function latestRate(
  trx: Tx,
  from: string,
  to: string,
  on?: string,
): Promise<AppliedRate | undefined> {
  if (from === to) return { rate: new Decimal(1), valid_on: on ?? today() }
  const day = on ?? today()
  const rows = await moneyTx(trx)
    .selectFrom('exchange_rates')
    .select(['base', 'rate', 'valid_on'])
    .where((eb) =>
      eb.or([
        eb.and([eb('base', '=', from), eb('quote', '=', to)]),
        eb.and([eb('base', '=', to), eb('quote', '=', from)]),
      ]),
    )
    .where('valid_on', '<=', day)
    .orderBy('valid_on', 'desc')
    .orderBy('base', from < to ? 'asc' : 'desc')
    .limit(1)
    .execute()
  const row = rows[0]
  if (!row) return undefined
  const rate = new Decimal(row.rate)
  return { rate: row.base === from ? rate : new Decimal(1).div(rate), valid_on: dayOf(row.valid_on) }
}

/** Converts `money` into `to` at the latest rate, rounded to `to`'s minor unit; undefined without a rate. */
export async function convertMoney(
  trx: Tx,
  money: Money,
  to: string,
  on?: string,
): Promise<Money | undefined> {
  return (await createConverter(trx, to, on))(money)
}

/**
 * A converter into `to` for many amounts (a report, a pipeline): each currency's rate and minor
 * unit is read once. Returns undefined for an amount whose currency has no rate to `to`.
 */
export async function createConverter(
  trx: Tx,
  to: string,
  on?: string,
): Promise<(money: Money) => Promise<Money | undefined>> {
  const unit = (await minorUnitOf(trx, to)) ?? 2
  const rates = new Map<string, Promise<AppliedRate | undefined>>()
  return async (money) => {
    let rate = rates.get(money.currency)
    if (!rate) {
      rate = latestRate(trx, money.currency, to, on)
      rates.set(money.currency, rate)
    }
    const applied = await rate
    if (!applied) return undefined
    return { amount: roundToMinorUnit(new Decimal(money.amount).mul(applied.rate), unit), currency: to }
  }
}

export const today = () => new Date().toISOString().slice(0, 10)

/** A `date` column as `YYYY-MM-DD` (db/open.ts keeps dates as the server's text). */
const dayOf = (value: unknown): string => String(value).slice(0, 10)
