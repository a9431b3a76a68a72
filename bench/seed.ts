import { type Database, withTenant } from '@tessera/kernel'
import { sql } from 'kysely'
import { timed } from './stats.ts'

const FIRST = [
  'Ada',
  'Alan',
  'Grace',
  'Linus',
  'Margaret',
  'Edsger',
  'Barbara',
  'Donald',
  'Frances',
  'John',
  'Radia',
  'Ken',
  'Hedy',
  'Dennis',
  'Karen',
  'Tim',
  'Sophie',
  'Niklaus',
  'Leslie',
  'Bjarne',
  'Anita',
  'Guido',
  'Shafi',
  'Yukihiro',
]
const LAST = [
  'Lovelace',
  'Turing',
  'Hopper',
  'Torvalds',
  'Hamilton',
  'Dijkstra',
  'Liskov',
  'Knuth',
  'Allen',
  'Backus',
  'Perlman',
  'Thompson',
  'Lamarr',
  'Ritchie',
  'Jones',
  'Berners-Lee',
  'Wilson',
  'Wirth',
  'Lamport',
  'Stroustrup',
  'Borg',
  'van Rossum',
  'Goldwasser',
  'Matsumoto',
  'Meyer',
  'Dubois',
  'Rossi',
  'Novak',
  'Jansen',
  'Svensson',
]
const LEGAL_FORMS = ['GmbH', 'SARL', 'Ltd', 'BV', 'SpA', 'AB', 'AG']
/** weighted like a European customer base: the code a VAT id starts with, one slot in 20 each */
const COUNTRIES = [
  'DE',
  'DE',
  'DE',
  'DE',
  'FR',
  'FR',
  'FR',
  'GB',
  'GB',
  'GB',
  'NL',
  'NL',
  'ES',
  'IT',
  'BE',
].concat(['PL', 'SE', 'AT', 'CH', 'DK'])
const PAYMENT_TERMS = ['immediate', 'net_15', 'net_30', 'net_45', 'net_60', 'end_of_month']

export interface Seeded {
  partners: number
  ms: number
  method: string
}

/**
 * Writes `count` contacts for the tenant in one `insert … select … from generate_series` inside
 * withTenant, so as the application role under row-level security, as the API would. One in five
 * is an organisation; ~30% are customers and ~10% suppliers; every one has an email, a phone and a
 * VAT id whose country prefix (DE 20%, FR and GB 15%, …) is what the bench's list filters on.
 * Each property comes from its own hash of the row number, so they do not correlate.
 */
export async function seedPartners(
  database: Database,
  tenantId: string,
  userId: string,
  count: number,
): Promise<Seeded> {
  const pick = (list: readonly string[], salt: string) =>
    sql`(${sql.val(list)}::text[])[1 + ${bucket(salt, list.length)}]`
  const [, ms] = await timed(() =>
    withTenant(database.db, tenantId, async (trx) => {
      await sql`
        insert into partners (tenant_id, id, kind, name, email, phone, vat_id, is_customer, is_supplier,
                              payment_terms, created_by, updated_by)
        select ${tenantId}, gen_random_uuid(), kind,
               case kind when 'organization' then last || ' ' || ${pick(LEGAL_FORMS, 'form')}
                         else first || ' ' || chr(65 + ${bucket('initial', 26)}) || '. ' || last end,
               lower(replace(first || '.' || last, ' ', '')) || '.' || g || '@example.com',
               '+' || (10 + ${bucket('cc', 89)}) || ' ' || lpad(${bucket('phone', 1_000_000_000)}::text, 9, '0'),
               ${pick(COUNTRIES, 'country')} || lpad(${bucket('vat', 1_000_000_000)}::text, 9, '0'),
               customer, ${bucket('supplier', 10)} = 0,
               case when customer then ${pick(PAYMENT_TERMS, 'terms')} end,
               ${userId}, ${userId}
        from (
          select g,
                 case when ${bucket('kind', 5)} = 0 then 'organization' else 'person' end as kind,
                 ${pick(FIRST, 'first')} as first,
                 ${pick(LAST, 'last')} as last,
                 ${bucket('customer', 10)} < 3 as customer
          from generate_series(1, ${count}) as g
        ) as rows
      `.execute(trx)
    }),
  )
  // fresh statistics, as autovacuum would give a server soon after such a load
  await sql`analyze partners`.execute(database.db)
  return {
    partners: count,
    ms: Math.round(ms),
    method: `one insert … select … from generate_series(1, ${count}) through withTenant (the app role, RLS on)`,
  }
}

/** 0..size-1 from a hash of the row number `g` salted per property. */
function bucket(salt: string, size: number) {
  return sql<number>`((hashtext(${`${salt}:`}::text || g)::bigint + 2147483648) % ${size})::int`
}
