import { type Static, Type } from '@sinclair/typebox'
import Decimal from 'decimal.js'
import { sql } from 'kysely'
import type { Tx } from '../db/schema.ts'
import { Invalid, NotFound } from '../errors/errors.ts'
import { newId } from '../ids.ts'
import { parse } from '../schemas/validate.ts'
import { moneyTx } from './tables.ts'

const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code', examples: ['USD'] })

/** POST /api/v1/exchange-rates: a rate of a pair from a day on (the same pair and day replaces it). */
export const ExchangeRateInput = Type.Object(
  {
    base: Currency,
    quote: Currency,
    rate: Type.String({
      pattern: '^[0-9]{1,16}(\\.[0-9]{1,12})?$',
      description: 'how many units of quote one unit of base is worth, a positive decimal string',
      examples: ['1.0845'],
    }),
    valid_on: Type.String({ format: 'date', description: 'the first day the rate applies' }),
  },
  { additionalProperties: false },
)
export type ExchangeRateInput = Static<typeof ExchangeRateInput>

export const ExchangeRateQuery = Type.Object(
  {
    base: Type.Optional(Currency),
    quote: Type.Optional(Currency),
    limit: Type.Optional(Type.String({ pattern: '^(?:[1-9][0-9]?|1[0-9][0-9]|200)$' })),
  },
  { additionalProperties: false },
)

export interface ExchangeRateView {
  id: string
  base: string
  quote: string
  rate: string
  valid_on: string
  created_at: string
}

const toView = (row: {
  id: string
  base: string
  quote: string
  rate: string
  valid_on: string
  created_at: Date
}): ExchangeRateView => ({
  id: row.id,
  base: row.base,
  quote: row.quote,
  rate: new Decimal(row.rate).toFixed(),
  valid_on: String(row.valid_on).slice(0, 10),
  created_at: new Date(row.created_at).toISOString(),
})

/** The transaction's tenant's rates, newest day first, optionally of one currency or pair. */
export async function listExchangeRates(trx: Tx, input: unknown): Promise<ExchangeRateView[]> {
  const query = parse(ExchangeRateQuery, input)
  let select = moneyTx(trx)
    .selectFrom('exchange_rates')
    .select(['id', 'base', 'quote', 'rate', 'valid_on', 'created_at'])
    .orderBy('valid_on', 'desc')
    .orderBy('base')
    .orderBy('quote')
    .limit(query.limit ? Number(query.limit) : 100)
  if (query.base) select = select.where('base', '=', query.base)
  if (query.quote) select = select.where('quote', '=', query.quote)
  return (await select.execute()).map(toView)
}

/**
 * Records a rate; a second rate for the same pair and day replaces the first (a correction).
 * Unknown currencies, a pair of one currency and a rate of zero are 400s naming the field.
 */
export async function saveExchangeRate(
  trx: Tx,
  by: { tenantId: string; userId: string | null },
  input: unknown,
): Promise<ExchangeRateView> {
  const rate = parse(ExchangeRateInput, input)
  const known = await trx
    .selectFrom('currencies')
    .select('code')
    .where('code', 'in', [rate.base, rate.quote])
    .execute()
  for (const field of ['base', 'quote'] as const) {
    if (!known.some((c) => c.code === rate[field]))
      throw Invalid.field(field, `${field}: ${rate[field]} is not an ISO 4217 currency.`, 'unknown_currency')
  }
  if (rate.base === rate.quote) throw Invalid.field('quote', 'quote must differ from base.', 'same_currency')
  if (new Decimal(rate.rate).lte(0))
    throw Invalid.field('rate', 'rate must be greater than 0.', 'out_of_range')
  const row = await moneyTx(trx)
    .insertInto('exchange_rates')
    .values({ tenant_id: by.tenantId, id: newId(), created_by: by.userId, ...rate })
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'base', 'quote', 'valid_on']).doUpdateSet({
        rate: rate.rate,
        created_by: by.userId,
        created_at: sql<Date>`now()`,
      } as never),
    )
    .returning(['id', 'base', 'quote', 'rate', 'valid_on', 'created_at'])
    .executeTakeFirstOrThrow()
  return toView(row)
}

/** Deletes one of the tenant's rates; another tenant's id is a 404 like an unknown one. */
export async function deleteExchangeRate(trx: Tx, id: string): Promise<void> {
  const deleted = await moneyTx(trx).deleteFrom('exchange_rates').where('id', '=', id).executeTakeFirst()
  if (Number(deleted.numDeletedRows) === 0) throw new NotFound('No exchange rate has this id.')
}
