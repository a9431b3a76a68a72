import {
  type CompileFilterOptions,
  compileFilter,
  type FilterContext,
  filterExpression,
  type KernelTables,
  parseFilter,
} from '@tessera/kernel'
import { createTestDatabase, type TestDatabase } from '@tessera/testing'
import { sql, type Transaction } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deals, partners } from './entities.ts'

type Scratch = {
  partners: { tenant_id: string; id: string; name: string; country: string | null; custom: string }
  deals: {
    tenant_id: string
    id: string
    name: string
    region: string | null
    amount: string | null
    quantity: string | null
    probability: string | null
    closes_on: string | null
    created_at: string | null
    won: boolean | null
    owner_id: string | null
    company_id: string | null
    partner_id: string | null
    tags: string[] | null
    payload: string | null
    custom: string
  }
}
type Trx = Transaction<KernelTables & Scratch>

const id = (n: number) => `0190a4b2-0000-7000-8000-${String(n).padStart(12, '0')}`
const T1 = id(1)
const T2 = id(2)
const U1 = id(11)
const U2 = id(12)
const C1 = id(21)
const C2 = id(22)
const C3 = id(23)
const P1 = id(31)
const P2 = id(32)
const P3 = id(33)

const ACME = 'Acme'
const OBRIEN = "O'Brien & Co"
const SURE = '100% _sure_'
const BRACES = '{{ user.password }}'
const FORMULA = '=HYPERLINK("http://evil.example","x")'
const SLASH = 'back\\slash'
const NULLS = 'Null deal'
const ALL = [ACME, OBRIEN, SURE, BRACES, FORMULA, SLASH, NULLS]
const allBut = (...names: string[]) => ALL.filter((name) => !names.includes(name))

type Row = Partial<Omit<Scratch['deals'], 'tenant_id' | 'id' | 'name'>> & { name: string }
const rows: Row[] = [
  {
    name: ACME,
    region: 'North',
    amount: '0.3',
    quantity: '10',
    probability: '0.5',
    closes_on: '2025-01-31',
    created_at: '2025-01-31T10:00:00Z',
    won: true,
    owner_id: U1,
    company_id: C1,
    partner_id: P1,
    tags: ['vip', 'new'],
    payload: '{"a": 1}',
    custom: JSON.stringify({
      referral_source: 'Web',
      score: 5,
      budget: '1000.50',
      signed_on: '2025-01-15',
      vip: true,
      channels: ['email', 'phone'],
      account_manager: P2,
      hidden: 'secret',
    }),
  },
  {
    name: OBRIEN,
    region: 'South',
    amount: '0.30000000000000004',
    quantity: '2',
    probability: '0.25',
    closes_on: '2025-02-01',
    created_at: '2025-01-31T23:30:00Z',
    won: false,
    owner_id: U2,
    company_id: C2,
    partner_id: P2,
    tags: ['renewal'],
    // a score that is not a number (the field's type changed): read as null, never a SQL error
    custom: JSON.stringify({
      referral_source: "Partner's event",
      score: 'abc',
      budget: 1000.5,
      vip: false,
      channels: [],
    }),
  },
  {
    name: SURE,
    region: 'East',
    amount: '12345678901234567.89',
    quantity: '1',
    closes_on: '2024-12-31',
    created_at: '2024-12-31T00:00:00Z',
    owner_id: U1,
    company_id: C3,
    partner_id: P3,
    tags: [],
    custom: JSON.stringify({ referral_source: '50%_off', score: 12 }),
  },
  { name: BRACES, region: 'West', amount: '12345678901234567.88', won: false, owner_id: U2, company_id: C1 },
  {
    name: FORMULA,
    region: 'North',
    amount: '10000',
    quantity: '5',
    owner_id: U1,
    company_id: C2,
    partner_id: P1,
    tags: ['new'],
    custom: JSON.stringify({ referral_source: '=cmd|calc', channels: ['visit'] }),
  },
  { name: SLASH, region: 'South', amount: '-5', won: true },
  { name: NULLS },
]

async function setUp(trx: Trx): Promise<void> {
  await sql`create temporary table partners (
    tenant_id uuid not null, id uuid not null, name text not null, country text, secret_note text,
    custom jsonb not null default '{}', primary key (tenant_id, id)) on commit drop`.execute(trx)
  await sql`create temporary table deals (
    tenant_id uuid not null, id uuid not null, name text not null, region text, amount numeric,
    quantity bigint, probability numeric, closes_on date, created_at timestamptz, won boolean,
    owner_id uuid, company_id uuid, partner_id uuid, tags text[], payload jsonb, password_hash text,
    custom jsonb not null default '{}', primary key (tenant_id, id)) on commit drop`.execute(trx)
  await trx
    .insertInto('partners')
    .values([
      { tenant_id: T1, id: P1, name: 'Paris SA', country: 'FR', custom: '{"tier": "gold"}' },
      { tenant_id: T1, id: P2, name: 'Berlin GmbH', country: 'DE', custom: '{"tier": "silver"}' },
      { tenant_id: T1, id: P3, name: 'Nowhere Ltd', country: null, custom: '{}' },
      // the same id in another tenant: the reference joins on the tenant as well
      { tenant_id: T2, id: P1, name: 'Elsewhere', country: 'XX', custom: '{}' },
    ])
    .execute()
  await trx
    .insertInto('deals')
    .values(rows.map((row, i) => ({ tenant_id: T1, id: id(100 + i), custom: '{}', ...row })))
    .execute()
}

const context: FilterContext = {
  user: { id: U1, company_ids: [C1, C2], roles: ['North', 'sales'] },
  now: new Date('2025-01-31T12:00:00Z'),
  timeZone: 'UTC',
}

let database: TestDatabase
beforeAll(async () => {
  database = await createTestDatabase()
})
afterAll(() => database.close())

function inScratch<T>(fn: (trx: Trx) => Promise<T>): Promise<T> {
  return database.db.transaction().execute(async (tx) => {
    const trx = tx.withTables<Scratch>()
    await setUp(trx)
    return fn(trx)
  })
}

async function select(filter: unknown, options: CompileFilterOptions = {}): Promise<string[]> {
  const found = await inScratch((trx) =>
    trx
      .selectFrom('deals as d')
      .select('d.name')
      .where(filterExpression(filter, deals, { alias: 'd', context, ...options }))
      .execute(),
  )
  return found.map((row) => row.name).sort()
}

describe('a compiled filter selects exactly the matching rows', () => {
  it.each([
    // text: stored quotes, braces, formulas and wildcards are data
    ["name = 'Acme'", [ACME]],
    ["name = 'O''Brien & Co'", [OBRIEN]],
    ["name = '{{ user.password }}'", [BRACES]],
    [`name = '=HYPERLINK("http://evil.example","x")'`, [FORMULA]],
    ["name = 'back\\slash'", [SLASH]],
    ["name = 'x'' or ''1''=''1'", []],
    ["name = 'x''); drop table deals; --'", []],
    ["name contains '%'", [SURE]],
    ["name contains '_'", [SURE]],
    ["name contains '%_'", []],
    ["name contains '\\'", [SLASH]],
    ["name contains 'ACME'", [ACME]],
    ["name contains '{{'", [BRACES]],
    ["name starts_with '=hyper'", [FORMULA]],
    ["name starts_with '100%'", [SURE]],
    ["name starts_with '_'", []],
    ["name starts_with '%'", []],
    ["name in ('Acme', 'Null deal', 'nobody')", [ACME, NULLS]],
    ["name not in ('Acme')", allBut(ACME)],
    ["name != 'Acme'", allBut(ACME)],
    // select; != and not in hold for a missing value
    ["region = 'North'", [ACME, FORMULA]],
    ["region != 'North'", allBut(ACME, FORMULA)],
    ["region not in ('North', 'South')", [SURE, BRACES, NULLS]],
    ['region in $user.roles', [ACME, FORMULA]],
    ['region is null', [NULLS]],
    ['region is not null', allBut(NULLS)],
    // money: compared as numeric, where a float would merge or split these amounts
    ['amount = 0.3', [ACME]],
    ["amount = '0.30'", [ACME]],
    ['amount = 0.30000000000000004', [OBRIEN]],
    ['amount > 0.3', [OBRIEN, SURE, BRACES, FORMULA]],
    ['amount > 12345678901234567.88', [SURE]],
    ['amount >= 12345678901234567.88 and amount < 12345678901234567.89', [BRACES]],
    [{ field: 'amount', op: 'eq', value: '12345678901234567.89' }, [SURE]],
    ['amount < 0', [SLASH]],
    ['amount != 0.3', allBut(ACME)],
    ['not amount < 1', [SURE, BRACES, FORMULA, NULLS]],
    ['amount is null', [NULLS]],
    // integer, decimal
    ['quantity in (1, 2)', [OBRIEN, SURE]],
    ['quantity >= 5', [ACME, FORMULA]],
    ["probability > '0.3'", [ACME]],
    ['probability <= 0.25', [OBRIEN]],
    // dates and date-times
    ["closes_on >= '2025-01-01'", [ACME, OBRIEN]],
    ["closes_on < '2025-01-31'", [SURE]],
    ['closes_on = $today', [ACME]],
    ["created_at >= '2025-01-31'", [ACME, OBRIEN]],
    ['created_at < $now', [ACME, SURE]],
    ["created_at > '2025-01-31T23:00:00+01:00'", [OBRIEN]],
    ["created_at = '2024-12-31T01:00:00+01:00'", [SURE]],
    // booleans
    ['won = true', [ACME, SLASH]],
    ['won = false', [OBRIEN, BRACES]],
    ['won != true', allBut(ACME, SLASH)],
    ['not won = true', allBut(ACME, SLASH)],
    ['won is null', [SURE, FORMULA, NULLS]],
    // uuids, references and variables
    ['owner_id = $user.id', [ACME, SURE, FORMULA]],
    [`owner_id = '${U1.toUpperCase()}'`, [ACME, SURE, FORMULA]],
    ['company_id in $user.company_ids', [ACME, OBRIEN, BRACES, FORMULA]],
    ['company_id not in $user.company_ids', [SURE, SLASH, NULLS]],
    [`partner = '${P1}'`, [ACME, FORMULA]],
    ['partner is null', [BRACES, SLASH, NULLS]],
    // multi-select column (text[])
    ["tags contains 'vip'", [ACME]],
    ["tags in ('new', 'renewal')", [ACME, OBRIEN, FORMULA]],
    ["tags not in ('new')", allBut(ACME, FORMULA)],
    ['tags is null', [SURE, BRACES, SLASH, NULLS]],
    ['tags is not null', [ACME, OBRIEN, FORMULA]],
    ['payload is not null', [ACME]],
    // custom fields in jsonb, cast by their type
    ["custom.referral_source = 'Partner''s event'", [OBRIEN]],
    ["custom.referral_source contains 'web'", [ACME]],
    ["custom.referral_source contains '%_'", [SURE]],
    ["custom.referral_source starts_with '='", [FORMULA]],
    ['custom.referral_source is null', [BRACES, SLASH, NULLS]],
    ['custom.score > 4', [ACME, SURE]],
    ['custom.score is null', allBut(ACME, SURE)],
    ["custom.budget = '1000.5'", [ACME, OBRIEN]],
    ["custom.signed_on < '2025-02-01'", [ACME]],
    ['custom.vip = true', [ACME]],
    ['custom.vip != true', allBut(ACME)],
    ["custom.channels contains 'email'", [ACME]],
    ["custom.channels in ('phone', 'visit')", [ACME, FORMULA]],
    ["custom.channels not in ('email')", allBut(ACME)],
    ['custom.channels is null', allBut(ACME, FORMULA)],
    // one step through a reference, as EXISTS on the target, within the same tenant
    ["partner.country = 'FR'", [ACME, FORMULA]],
    ["partner.country != 'FR'", [OBRIEN, SURE]],
    ["not partner.country = 'FR'", allBut(ACME, FORMULA)],
    ['partner.country is null', [SURE]],
    ["partner.country = 'XX'", []],
    ["partner.name starts_with 'paris'", [ACME, FORMULA]],
    ["partner.custom.tier = 'gold'", [ACME, FORMULA]],
    ["custom.account_manager.country = 'DE'", [ACME]],
    ["partner.country = 'FR' or custom.account_manager.name = 'Berlin GmbH'", [ACME, FORMULA]],
    // precedence and grouping
    ["region = 'North' and amount < 10000", [ACME]],
    ["region = 'North' or region = 'South' and won = false", [ACME, OBRIEN, FORMULA]],
    ["(region = 'North' or region = 'South') and won = false", [OBRIEN]],
    ["not (region = 'North' or won = true)", [OBRIEN, SURE, BRACES, NULLS]],
    [
      {
        and: [
          { field: 'amount', op: 'lt', value: '10000' },
          { field: 'region', op: 'eq', value: 'North' },
        ],
      },
      [ACME],
    ],
    [
      '{"or":[{"field":"won","op":"eq","value":true},{"not":{"field":"region","op":"is_not_null"}}]}',
      [ACME, SLASH, NULLS],
    ],
  ])('%s', async (filter, expected) => {
    expect(await select(filter)).toEqual([...expected].sort())
  })

  it('takes $today in the given time zone', async () => {
    expect(
      await select('closes_on = $today', { context: { ...context, timeZone: 'Pacific/Auckland' } }),
    ).toEqual([OBRIEN])
  })

  it('treats an empty list variable as matching nothing (in) or everything (not in)', async () => {
    const none = { context: { user: { id: U1, company_ids: [] } } }
    expect(await select('company_id in $user.company_ids', none)).toEqual([])
    expect(await select('company_id not in $user.company_ids', none)).toEqual([...ALL].sort())
  })

  it('puts the caller’s scope on referenced rows, so a filter cannot probe what the user cannot see', async () => {
    const hideGermans: CompileFilterOptions['scope'] = (target, alias) =>
      target === partners ? sql<boolean>`${sql.ref(`${alias}.country`)} is distinct from 'DE'` : undefined
    expect(await select("partner.name = 'Berlin GmbH'")).toEqual([OBRIEN])
    expect(await select("partner.name = 'Berlin GmbH'", { scope: hideGermans })).toEqual([])
    expect(await select("partner.name = 'Paris SA'", { scope: hideGermans })).toEqual([ACME, FORMULA].sort())
  })

  it('works without an alias, on the table name', async () => {
    const found = await inScratch((trx) =>
      trx
        .selectFrom('deals')
        .select('name')
        .where(filterExpression("partner.country = 'DE'", deals, { context }))
        .execute(),
    )
    expect(found.map((row) => row.name)).toEqual([OBRIEN])
  })

  it('works in an update and a delete', async () => {
    const [updated, deleted, left] = await inScratch(async (trx) => {
      const updated = await trx
        .updateTable('deals as d')
        .set({ won: true })
        .where(filterExpression("region = 'North' and won is null", deals, { alias: 'd' }))
        .returning('d.name')
        .execute()
      const deleted = await trx
        .deleteFrom('deals')
        .where(filterExpression('amount < 1 or amount is null', deals))
        .returning('name')
        .execute()
      const left = await trx.selectFrom('deals').select('name').execute()
      return [updated, deleted, left].map((list) => list.map((row) => row.name).sort())
    })
    expect(updated).toEqual([FORMULA])
    expect(deleted).toEqual([ACME, OBRIEN, SLASH, NULLS].sort())
    expect(left).toEqual([SURE, BRACES, FORMULA].sort())
  })

  it('leaves the table intact after a value that looks like SQL', async () => {
    const count = await inScratch(async (trx) => {
      await trx
        .selectFrom('deals')
        .select('name')
        .where(filterExpression("name = 'x''; drop table deals; --' or name contains ''';--'", deals))
        .execute()
      return (
        await trx
          .selectFrom('deals')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n
    })
    expect(Number(count)).toBe(ALL.length)
  })
})

describe('the SQL a filter compiles to', () => {
  it('binds every value and names only metadata columns', () => {
    const values = ["x'; drop table deals; --", '{{ x }}', '=HYPERLINK("a")', '50%_off']
    const filter = values.map((value) => `name = '${value.replaceAll("'", "''")}'`).join(' or ')
    const query = database.db
      .withTables<Scratch>()
      .selectFrom('deals as d')
      .select('d.name')
      .where(
        compileFilter(
          parseFilter(`(${filter}) and custom.score > 3 and partner.country in ('FR') and amount < 0.3`),
          deals,
          { alias: 'd', context },
        ),
      )
      .compile()
    for (const value of values) expect(query.sql).not.toContain(value)
    expect(query.parameters).toEqual(expect.arrayContaining([...values, '3', 'FR', '0.3']))
    expect(query.sql).toContain('"d"."amount" < $')
    expect(query.sql).toContain(`("d"."custom" ->> 'score')`)
    expect(query.sql).toContain(
      'exists (select 1 from "partners" as "d__ref1" where "d__ref1"."id" = "d"."partner_id"',
    )
  })
})
