import { checkFilter, compileFilter, type EntityMetadata, parseFilter } from '@tessera/kernel'
import { describe, expect, it } from 'vitest'
import { deals } from './entities.ts'

const U1 = '0190a4b2-0000-7000-8000-000000000001'

function problems(input: unknown): { field: string; code: string; message: string }[] {
  try {
    checkFilter(parseFilter(input), deals)
  } catch (err) {
    expect(err).toMatchObject({ status: 400, code: 'invalid_filter' })
    return (err as { errors: { field: string; code: string; message: string }[] }).errors
  }
  throw new Error(`accepted: ${JSON.stringify(input)}`)
}

describe('checking a filter against the entity', () => {
  it.each([
    ["name = 'x'"],
    ["region in ('North', 'West')"],
    ['amount < 10000 and amount >= 0.01 and amount != -5'],
    ["amount = '0.30'"],
    ['quantity in (1, 2, 3)'],
    ["probability > '0.5'"],
    ["closes_on >= '2024-02-29' and closes_on < $today"],
    [
      "created_at > '2025-01-31T10:00:00Z' and created_at < '2025-01-31T10:00:00.123+05:30' and created_at <= $now",
    ],
    ["created_at >= '2025-01-31'"],
    ['won = true and won != false'],
    ['owner_id = $user.id and company_id in $user.company_ids'],
    [`partner in ('${U1}', $user.id)`],
    ["tags contains 'vip' and tags in ('new', 'renewal') and tags is not null"],
    ['payload is null'],
    ["custom.referral_source contains 'web' and custom.score > 3 and custom.budget <= '1000.50'"],
    ["custom.signed_on < '2025-01-01' and custom.vip = true and custom.channels not in ('email')"],
    ["partner.country = 'FR' and partner.name starts_with 'Acme' and partner.custom.tier = 'gold'"],
    ["custom.account_manager.country = 'DE' and custom.account_manager = $user.id"],
    ['name in $user.roles and region in $user.roles'],
  ])('accepts %s', (input) => {
    expect(() => checkFilter(parseFilter(input), deals)).not.toThrow()
  })

  it.each([
    ['an unknown field', "nmae = 'x'", 'unknown_field', 'At position 1: Unknown field "nmae".'],
    ['an unknown custom field', "custom.nope = 'x'", 'unknown_field', /Unknown field "custom.nope"/],
    ['a field hidden from filters', "password_hash = 'x'", 'unknown_field', /Unknown field "password_hash"/],
    [
      'a custom field hidden from filters',
      "custom.hidden = 'x'",
      'unknown_field',
      /Unknown field "custom.hidden"/,
    ],
    ['a hidden field through a reference', "partner.secret_note = 'x'", 'unknown_field', /Unknown field/],
    ['the raw column behind a field', "partner_id = 'x'", 'unknown_field', /Unknown field "partner_id"/],
    ['an unknown field of the target', "partner.nope = 'x'", 'unknown_field', /Unknown field "partner.nope"/],
    ['two references deep', "partner.partner.name = 'x'", 'unknown_field', /Unknown field/],
    [
      'a path through a field that is no reference',
      'name.length = 1',
      'unknown_field',
      /Unknown field "name.length"/,
    ],
    ['a field of Object.prototype', 'constructor is null', 'unknown_field', /Unknown field "constructor"/],
    ['__proto__', '__proto__ is null', 'unknown_field', /Unknown field "__proto__"/],
    ['a JSON field name with a quote', { field: "name'", op: 'eq', value: 'x' }, 'syntax', /"field"/],
    [
      'contains on a number',
      "amount contains '1'",
      'invalid_operator',
      /contains does not apply to "amount" \(money\)/,
    ],
    ['starts_with on a date', "closes_on starts_with '2025'", 'invalid_operator', /starts_with/],
    ['< on a boolean', 'won < true', 'invalid_operator', /lt does not apply to "won" \(boolean\)/],
    ['< on a select', "region < 'North'", 'invalid_operator', /lt/],
    ['= on a multi-select', "tags = 'vip'", 'invalid_operator', /eq/],
    ['= on json', "payload = 'x'", 'invalid_operator', /eq/],
    ['contains on a uuid', "owner_id contains 'a'", 'invalid_operator', /contains/],
    [
      'text for an integer',
      "quantity = 'abc'",
      'invalid_value',
      'At position 12: "quantity" expects a whole number, not "abc".',
    ],
    ['a decimal for an integer', 'quantity = 1.5', 'invalid_value', /whole number/],
    ['an integer beyond int8', 'quantity = 9223372036854775808', 'invalid_value', /smaller/],
    ['text for money', "amount < 'ten'", 'invalid_value', /expects a number/],
    ['an exponent for money', "amount < '1e3'", 'invalid_value', /expects a number/],
    ['a boolean for money', 'amount < true', 'invalid_value', /expects a number/],
    ['a number for text', 'name = 42', 'invalid_value', /text in single quotes/],
    ['a string for a boolean', "won = 'true'", 'invalid_value', /true or false/],
    ['a non-option for a select', "region = 'Nowhere'", 'invalid_value', /no option "Nowhere"/],
    ['an option in the wrong case', "region = 'north'", 'invalid_value', /no option/],
    ['a non-option for a multi-select', "tags contains 'vip2'", 'invalid_value', /no option/],
    ['a bad date', "closes_on = '2025-02-30'", 'invalid_value', /expects a date/],
    ['a date in another format', "closes_on = '31/01/2025'", 'invalid_value', /expects a date/],
    ['a date-time for a date', "closes_on = '2025-01-31T00:00:00Z'", 'invalid_value', /expects a date/],
    ['a local date-time', "created_at > '2025-01-31T10:00:00'", 'invalid_value', /date-time/],
    ['a date-time at hour 24', "created_at > '2025-01-31T24:00:00Z'", 'invalid_value', /date-time/],
    ['a bad uuid', "owner_id = '1 or 1=1'", 'invalid_value', /a UUID/],
    ['a bad reference id', "partner = 'abc'", 'invalid_value', /a UUID/],
    ['a bad custom value', "custom.score = 'lots'", 'invalid_value', /"custom.score" expects a whole number/],
    ['a NUL character', { field: 'name', op: 'eq', value: 'a\u0000b' }, 'invalid_value', /NUL/],
    [
      'an unknown variable',
      'owner_id = $user.password',
      'unknown_variable',
      /position 12: Unknown variable "\$user.password"/,
    ],
    ['an unknown top-level variable', 'closes_on = $yesterday', 'unknown_variable', /\$yesterday/],
    ['a variable of Object.prototype', 'name = $constructor', 'unknown_variable', /\$constructor/],
    ['a list variable with =', 'company_id = $user.company_ids', 'invalid_value', /is a list/],
    ['a variable of the wrong type', 'closes_on = $user.id', 'invalid_value', /cannot be compared/],
    ['$now for a date', 'closes_on < $now', 'invalid_value', /cannot be compared/],
    ['$user.id for an integer', 'quantity = $user.id', 'invalid_value', /cannot be compared/],
  ])('refuses %s', (_, input, code, message) => {
    const [first, ...rest] = problems(input)
    expect(rest).toEqual([])
    expect(first).toMatchObject({ field: 'filter', code })
    if (typeof message === 'string') expect(first?.message).toBe(message)
    else expect(first?.message).toMatch(message)
  })

  it('reports every problem at once, each where it is', () => {
    expect(
      problems("nope = 1 and amount contains 'x' and won = 'yes' or region in ('North', 'Nowhere', 'Moon')"),
    ).toEqual([
      { field: 'filter', code: 'unknown_field', message: 'At position 1: Unknown field "nope".' },
      {
        field: 'filter',
        code: 'invalid_operator',
        message: expect.stringMatching(/^At position 14: The operator contains/),
      },
      {
        field: 'filter',
        code: 'invalid_value',
        message: 'At position 44: "won" expects true or false, not "yes".',
      },
      {
        field: 'filter',
        code: 'invalid_value',
        message: 'At position 73: "region" has no option "Nowhere".',
      },
      { field: 'filter', code: 'invalid_value', message: 'At position 84: "region" has no option "Moon".' },
    ])
  })

  it('locates problems in the JSON form by path', () => {
    expect(
      problems({
        or: [
          { field: 'name', op: 'eq', value: 'x' },
          { not: { field: 'quantity', op: 'in', value: [1, 'two'] } },
        ],
      }),
    ).toEqual([
      {
        field: 'filter',
        code: 'invalid_value',
        message: 'At or[1].not.value[1]: "quantity" expects a whole number, not "two".',
      },
    ])
  })

  it('caps the number of problems reported', () => {
    const input = { field: 'quantity', op: 'in', value: Array.from({ length: 100 }, (_, i) => `x${i}`) }
    expect(problems(input)).toHaveLength(20)
  })
})

describe('compiling needs what the variables stand for', () => {
  it.each([
    ['no user', 'owner_id = $user.id', {}, /\$user.id is not available/],
    [
      'no company ids',
      'company_id in $user.company_ids',
      { user: { id: U1 } },
      /\$user.company_ids is not available/,
    ],
    ['no clock for $today', 'closes_on = $today', { user: { id: U1 } }, /\$today is not available/],
    ['a user id that is no uuid', 'owner_id = $user.id', { user: { id: 'admin' } }, /\$user.id does not fit/],
    [
      'an unknown time zone',
      'closes_on = $today',
      { now: new Date(), timeZone: 'Mars/Olympus' },
      /\$today is not available/,
    ],
  ])('%s', (_, input, context, message) => {
    expect(() => compileFilter(parseFilter(input), deals, { context })).toThrow(message)
  })

  it('validates before compiling', () => {
    expect(() => compileFilter(parseFilter("nope = 'x'"), deals)).toThrow(/Unknown field "nope"/)
  })
})

describe('metadata is the only source of SQL names', () => {
  const withColumn = (column: string): EntityMetadata => ({
    ...deals,
    fields: { name: { type: 'text', column } },
  })
  it.each([
    [
      'a column with a quote',
      () => compileFilter(parseFilter("name = 'x'"), withColumn('name"; drop table deals; --')),
    ],
    ['a column with a space', () => compileFilter(parseFilter("name = 'x'"), withColumn('full name'))],
    [
      'a custom key that is not snake_case',
      () =>
        compileFilter(parseFilter('custom.Score = 1'), {
          ...deals,
          customFields: { Score: { type: 'integer' } },
        }),
    ],
    [
      'a custom column with a quote',
      () => compileFilter(parseFilter('custom.score = 1'), { ...deals, customColumn: "custom'" }),
    ],
    ['an alias with a quote', () => compileFilter(parseFilter("name = 'x'"), deals, { alias: 'd"' })],
    [
      'a table with a dot',
      () =>
        compileFilter(parseFilter("partner.name = 'x'"), {
          ...deals,
          fields: {
            partner: {
              type: 'reference',
              column: 'partner_id',
              target: {
                name: 'p',
                table: 'public.partners',
                fields: { name: { type: 'text', column: 'name' } },
              },
            },
          },
        }),
    ],
  ])('refuses %s as a programming error', (_, compile) => {
    expect(compile).toThrow(/is not a SQL identifier/)
  })
})
