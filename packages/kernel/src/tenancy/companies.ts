import { type Static, Type } from '@sinclair/typebox'
import type { Tx } from '../db/schema.ts'
import { Invalid } from '../errors/errors.ts'
import { newId } from '../ids.ts'
import { parse } from '../schemas/validate.ts'

export const NewCompany = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' }),
    currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code' }),
    country: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2 code' })),
    timezone: Type.Optional(Type.String({ format: 'time-zone', description: 'IANA time zone' })),
    logo_url: Type.Optional(Type.String({ format: 'uri', maxLength: 2048, pattern: '^https://' })),
    primary_color: Type.Optional(Type.String({ pattern: '^#[0-9a-f]{6}$' })),
  },
  { additionalProperties: false },
)
export type NewCompany = Static<typeof NewCompany>

/** Creates a company (legal entity) in the tenant the transaction is scoped to. */
export async function createCompany(
  trx: Tx,
  tenantId: string,
  input: unknown,
  actorId: string | null = null,
) {
  const company = parse(NewCompany, input)
  const currency = await trx
    .selectFrom('currencies')
    .select('code')
    .where('code', '=', company.currency)
    .executeTakeFirst()
  if (!currency) throw Invalid.field('currency', `currency ${company.currency} is not an ISO 4217 currency.`)
  return trx
    .insertInto('companies')
    .values({
      tenant_id: tenantId,
      id: newId(),
      name: company.name.trim(),
      currency: company.currency,
      country: company.country ?? null,
      timezone: company.timezone ?? 'UTC',
      logo_url: company.logo_url ?? null,
      primary_color: company.primary_color ?? null,
      created_by: actorId,
      updated_by: actorId,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
}

export function listCompanies(trx: Tx) {
  return trx.selectFrom('companies').selectAll().where('archived_at', 'is', null).orderBy('name').execute()
}
