import { FILTER_LIMITS, parseFilter } from '@tessera/kernel'
import { describe, expect, it } from 'vitest'
import { shape } from './entities.ts'

const str = (value: string) => ({ kind: 'string', value })
const num = (value: string) => ({ kind: 'number', value })
const cond = (field: string, op: string, value?: unknown) =>
  value === undefined ? { kind: 'condition', field, op } : { kind: 'condition', field, op, value }
const and = (...children: unknown[]) => ({ kind: 'and', children })
const or = (...children: unknown[]) => ({ kind: 'or', children })
const not = (child: unknown) => ({ kind: 'not', child })

const a = cond('a', 'eq', num('1'))
const b = cond('b', 'eq', num('2'))
const c = cond('c', 'eq', num('3'))

describe('the text form', () => {
  it.each([
    ['a single comparison', 'a = 1', a],
    ['and binds tighter than or', 'a = 1 or b = 2 and c = 3', or(a, and(b, c))],
    ['and binds tighter than or, on the left', 'a = 1 and b = 2 or c = 3', or(and(a, b), c)],
    ['not binds tighter than and', 'not a = 1 and b = 2', and(not(a), b)],
    ['not applies to a group', 'not (a = 1 and b = 2)', not(and(a, b))],
    ['parentheses override precedence', '(a = 1 or b = 2) and c = 3', and(or(a, b), c)],
    ['nested groups flatten into one and', 'a = 1 and (b = 2 and c = 3)', and(a, b, c)],
    ['redundant parentheses vanish', '((a = 1))', a],
    ['not not', 'not not a = 1', not(not(a))],
    ['keywords in any case', 'a = 1 AND b = 2 Or NOT c = 3', or(and(a, b), not(c))],
    ['whitespace of any kind', 'a=1\n\tand\r\nb =2', and(a, b)],
  ])('%s', (_, input, expected) => {
    expect(shape(parseFilter(input))).toEqual(expected)
  })

  it.each([
    ['=', "name = 'x'", cond('name', 'eq', str('x'))],
    ['!=', "name != 'x'", cond('name', 'ne', str('x'))],
    ['<>', "name <> 'x'", cond('name', 'ne', str('x'))],
    ['<', 'amount < 10', cond('amount', 'lt', num('10'))],
    ['<=', 'amount <= 10', cond('amount', 'lte', num('10'))],
    ['>', 'amount > -10.5', cond('amount', 'gt', num('-10.5'))],
    ['>=', 'amount >= 0', cond('amount', 'gte', num('0'))],
    ['in', "region in ('North', 'South')", cond('region', 'in', [str('North'), str('South')])],
    ['not in', "region not in ('North')", cond('region', 'not_in', [str('North')])],
    ['contains', "name contains 'acme'", cond('name', 'contains', str('acme'))],
    ['starts_with', "name starts_with 'ac'", cond('name', 'starts_with', str('ac'))],
    ['is null', 'region is null', cond('region', 'is_null')],
    ['is not null', 'region IS NOT NULL', cond('region', 'is_not_null')],
    ['= null is is null', 'region = null', cond('region', 'is_null')],
    ['!= null is is not null', 'region != null', cond('region', 'is_not_null')],
    [
      'true and false',
      'won = true or won = FALSE',
      or(
        cond('won', 'eq', { kind: 'boolean', value: true }),
        cond('won', 'eq', { kind: 'boolean', value: false }),
      ),
    ],
    ['a date is a string', "closes_on >= '2025-01-31'", cond('closes_on', 'gte', str('2025-01-31'))],
    ['a custom field', "custom.referral_source = 'web'", cond('custom.referral_source', 'eq', str('web'))],
    ['a path through a reference', "partner.country = 'FR'", cond('partner.country', 'eq', str('FR'))],
    [
      'a scalar variable',
      'owner_id = $user.id',
      cond('owner_id', 'eq', { kind: 'variable', name: 'user.id' }),
    ],
    [
      'a list variable',
      'company_id in $user.company_ids',
      cond('company_id', 'in', { kind: 'variable', name: 'user.company_ids' }),
    ],
    [
      'a variable inside a list',
      "owner_id in ($user.id, '0190a4b2-0000-7000-8000-000000000000')",
      cond('owner_id', 'in', [
        { kind: 'variable', name: 'user.id' },
        str('0190a4b2-0000-7000-8000-000000000000'),
      ]),
    ],
    ['$today and $now', 'closes_on < $today', cond('closes_on', 'lt', { kind: 'variable', name: 'today' })],
    ['a field named like a keyword', "in = 'x'", cond('in', 'eq', str('x'))],
  ])('the operator %s', (_, input, expected) => {
    expect(shape(parseFilter(input))).toEqual(expected)
  })

  it.each([
    ['a doubled quote is one quote', "'O''Brien'", "O'Brien"],
    ['only quotes', "''''''", "''"],
    ['the empty string', "''", ''],
    ['SQL inside a string is data', "'x'' or 1=1 --'", "x' or 1=1 --"],
    ['LIKE wildcards are kept', "'100% _sure_ \\'", '100% _sure_ \\'],
    ['template braces and formulas are kept', `'{{ user }} =HYPERLINK("x")'`, '{{ user }} =HYPERLINK("x")'],
    ['keywords inside a string are data', "'a and b or not c'", 'a and b or not c'],
    ['unicode', "'Müller 東京'", 'Müller 東京'],
  ])('strings: %s', (_, literal, value) => {
    expect(shape(parseFilter(`name = ${literal}`))).toEqual(cond('name', 'eq', str(value)))
  })

  it('keeps numbers as the digits written, never a float', () => {
    expect(shape(parseFilter('amount = 0.30000000000000004'))).toEqual(
      cond('amount', 'eq', num('0.30000000000000004')),
    )
    expect(shape(parseFilter('amount = 12345678901234567.89'))).toEqual(
      cond('amount', 'eq', num('12345678901234567.89')),
    )
  })

  it('records where each part is', () => {
    expect(parseFilter("a = 1 and name = 'x'")).toMatchObject({
      children: [
        { at: 'position 1', value: { at: 'position 5' } },
        { at: 'position 11', value: { at: 'position 18' } },
      ],
    })
  })
})

describe('the JSON form gives the same tree', () => {
  it.each([
    ['a = 1', { field: 'a', op: 'eq', value: 1 }],
    ["amount < '10000'", { and: [{ field: 'amount', op: 'lt', value: '10000' }] }],
    [
      'a = 1 or b = 2 and c = 3',
      {
        or: [
          { field: 'a', op: 'eq', value: 1 },
          {
            and: [
              { field: 'b', op: 'eq', value: 2 },
              { field: 'c', op: 'eq', value: 3 },
            ],
          },
        ],
      },
    ],
    [
      'not (a = 1 and b = 2)',
      {
        not: {
          and: [
            { field: 'a', op: 'eq', value: 1 },
            { field: 'b', op: 'eq', value: 2 },
          ],
        },
      },
    ],
    ["name != 'x'", { field: 'name', op: 'ne', value: 'x' }],
    ['amount <= 10', { field: 'amount', op: 'lte', value: 10 }],
    ['amount > 10', { field: 'amount', op: 'gt', value: 10 }],
    ['amount >= 10', { field: 'amount', op: 'gte', value: 10 }],
    ["region in ('North', 'South')", { field: 'region', op: 'in', value: ['North', 'South'] }],
    ["region not in ('North')", { field: 'region', op: 'not_in', value: ['North'] }],
    ["name contains 'O''B%'", { field: 'name', op: 'contains', value: "O'B%" }],
    ["name starts_with 'ac'", { field: 'name', op: 'starts_with', value: 'ac' }],
    ['region is null', { field: 'region', op: 'is_null' }],
    ['region is not null', { field: 'region', op: 'is_not_null' }],
    ['region = null', { field: 'region', op: 'eq', value: null }],
    ['won = true', { field: 'won', op: 'eq', value: true }],
    ['owner_id = $user.id', { field: 'owner_id', op: 'eq', value: { var: 'user.id' } }],
    [
      'company_id in $user.company_ids',
      { field: 'company_id', op: 'in', value: { var: '$user.company_ids' } },
    ],
    ["partner.country = 'FR'", { field: 'partner.country', op: 'eq', value: 'FR' }],
  ])('%s', (text, json) => {
    expect(shape(parseFilter(json))).toEqual(shape(parseFilter(text)))
    expect(shape(parseFilter(JSON.stringify(json)))).toEqual(shape(parseFilter(text)))
  })

  it('locates JSON parts by path', () => {
    expect(
      parseFilter({
        and: [{ field: 'a', op: 'eq', value: 1 }, { not: { field: 'b', op: 'in', value: [1, 2] } }],
      }),
    ).toMatchObject({
      at: 'the top level',
      children: [
        { at: 'and[0]', value: { at: 'and[0].value' } },
        { at: 'and[1]', child: { at: 'and[1].not', value: [{ at: 'and[1].not.value[0]' }, {}] } },
      ],
    })
  })
})

/** `a = 1 or (a = 1 and (… (y = 1 or z = 1)))`: `wraps` parentheses, a tree `wraps + 1` levels deep. */
function nested(wraps: number): string {
  let text = 'y = 1 or z = 1'
  for (let i = 0; i < wraps; i++) text = `a = 1 ${i % 2 === 0 ? 'and' : 'or'} (${text})`
  return text
}

const repeat = (n: number, make: (i: number) => string, sep: string) =>
  Array.from({ length: n }, (_, i) => make(i)).join(sep)

describe('limits', () => {
  const atLimit: [string, unknown][] = [
    [`${FILTER_LIMITS.maxConditions} conditions`, repeat(50, (i) => `a = ${i}`, ' and ')],
    [`${FILTER_LIMITS.maxListValues} values in a list`, `a in (${repeat(500, (i) => `${i}`, ',')})`],
    ['10 nested nots', `${'not '.repeat(10)}a = 1`],
    ['10 nested parentheses', `${'('.repeat(10)}a = 1${')'.repeat(10)}`],
    ['a tree 10 levels deep', nested(9)],
    ['4,000 characters', `name = '${'x'.repeat(3990)}'`],
    ['500 values in a JSON list', { field: 'a', op: 'in', value: Array.from({ length: 500 }, (_, i) => i) }],
  ]
  it.each(atLimit)('accepts %s', (_, input) => {
    expect(() => parseFilter(input)).not.toThrow()
  })
})

describe('refusals, each a 400 naming the filter and where', () => {
  it.each([
    ['an empty filter', '', 'syntax', /empty/],
    [
      'a comment after an always-true condition',
      "name = 'x' or 1=1 --",
      'syntax',
      /position 19: Unexpected character "-"/,
    ],
    [
      'an always-true condition',
      "name = 'x' or 1=1",
      'syntax',
      /position 15: Expected a field name but found "1"/,
    ],
    [
      'a closed string and an always-true condition',
      "name = 'x' or 'a'='a'",
      'syntax',
      /position 15: Expected a field name/,
    ],
    ['a statement separator', 'name; drop table x', 'syntax', /position 5: Unexpected character ";"/],
    ['a double-quoted identifier', '"name" = \'x\'', 'syntax', /position 1: Unexpected character/],
    ['a backtick identifier', '`name` = 1', 'syntax', /position 1/],
    ['an unclosed string', "name = 'x", 'syntax', /position 8: A string is not closed/],
    ['a bare word as a value', 'name = admin', 'syntax', /single quotes/],
    ['a missing value', 'name =', 'syntax', /position 7: Expected a value but found the end/],
    ['a missing operator', "name 'x'", 'syntax', /Expected an operator/],
    ['an unknown operator', "name like 'x'", 'syntax', /Expected an operator but found "like"/],
    ['a lone !', "name ! 'x'", 'syntax', /"!="/],
    ['a dangling and', "name = 'x' and", 'syntax', /Expected a field name but found the end/],
    ['an unclosed group', "(name = 'x'", 'syntax', /Expected "\)"/],
    ['an extra closing parenthesis', "name = 'x')", 'syntax', /Unexpected "\)"/],
    ['two values', 'a = 1 2', 'syntax', /position 7: Unexpected "2"/],
    ['an empty list', 'a in ()', 'syntax', /at least one value/],
    ['in without a list', "a in 'x'", 'syntax', /to open a list/],
    ['a list for =', 'a = (1, 2)', 'syntax', /Expected a value/],
    ['null in a list', 'a in (1, null)', 'syntax', /null is compared with/],
    ['null with <', 'a < null', 'syntax', /null is compared with/],
    ['is followed by a value', "a is 'x'", 'syntax', /Expected "null"/],
    ['not followed by something other than in', "a not like 'x'", 'syntax', /Expected "in"/],
    ['a number glued to a word', '12abc = 1', 'syntax', /position 3: A number is followed/],
    ['a value glued to a word', 'a = 12abc', 'syntax', /A number is followed/],
    ['a path ending with a dot', 'partner. = 1', 'syntax', /ends with "."/],
    ['a path too deep', 'a.b.c.d = 1', 'syntax', /too long/],
    ['a bare $', '$ = 1', 'syntax', /variable name/],
    ['a variable as a field', '$user.id = 1', 'syntax', /Expected a field name/],
    ['a cast', "name::text = 'x'", 'syntax', /Unexpected character ":"/],
    ['a function call', "lower(name) = 'x'", 'syntax', /Expected an operator but found "\("/],
    ['a subquery', 'id in (select id from users)', 'syntax', /single quotes/],
    ['a non-breaking space', 'a\u00a0= 1', 'syntax', /Unexpected character/],
    ['invalid JSON', '{"field": "a"', 'syntax', /not valid JSON/],
    ['a JSON array at the top', ['a'], 'syntax', /Expected an object/],
    ['a JSON string that is not a filter', 42, 'syntax', /Expected an object/],
    ['an unknown JSON key', { field: 'a', op: 'eq', value: 1, sql: '1=1' }, 'syntax', /Unexpected key "sql"/],
    ['and and field together', { and: [], field: 'a' }, 'syntax', /Unexpected key "and"/],
    ['an empty and', { and: [] }, 'syntax', /non-empty array/],
    ['an unknown op', { field: 'a', op: 'like', value: 'x' }, 'syntax', /op/],
    ['an op missing', { field: 'a', value: 'x' }, 'syntax', /"op"/],
    ['a field that is no name', { field: 'name; drop table x', op: 'eq', value: 'x' }, 'syntax', /"field"/],
    ['a quoted field', { field: '"name"', op: 'eq', value: 'x' }, 'syntax', /"field"/],
    ['eq without a value', { field: 'a', op: 'eq' }, 'syntax', /needs a value/],
    ['is_null with a value', { field: 'a', op: 'is_null', value: 1 }, 'syntax', /takes no value/],
    ['in with one value', { field: 'a', op: 'in', value: 'x' }, 'syntax', /list of values/],
    ['eq with a list', { field: 'a', op: 'eq', value: ['x'] }, 'syntax', /not a list/],
    ['a decimal JSON number', { field: 'amount', op: 'eq', value: 0.3 }, 'invalid_value', /as strings/],
    ['an unsafe JSON integer', { field: 'amount', op: 'eq', value: 2 ** 60 }, 'invalid_value', /as strings/],
    ['an object as a value', { field: 'a', op: 'eq', value: { $gt: 1 } }, 'syntax', /Expected a value/],
    [
      'a variable that is not a name',
      { field: 'a', op: 'eq', value: { var: 'user.id; drop' } },
      'syntax',
      /Expected a value/,
    ],
    ['too long', `name = '${'x'.repeat(4000)}'`, 'too_long', /longer than 4000/],
    [
      'too long as JSON',
      { field: 'name', op: 'eq', value: 'x'.repeat(4000) },
      'too_long',
      /longer than 4000/,
    ],
    ['too many conditions', repeat(51, (i) => `a = ${i}`, ' or '), 'too_complex', /more than 50 conditions/],
    [
      'too many JSON conditions',
      { or: Array.from({ length: 51 }, (_, i) => ({ field: 'a', op: 'eq', value: i })) },
      'too_complex',
      /more than 50/,
    ],
    ['too deep with nots', `${'not '.repeat(11)}a = 1`, 'too_complex', /deeper than 10/],
    ['too deep with parentheses', `${'('.repeat(11)}a = 1${')'.repeat(11)}`, 'too_complex', /deeper than 10/],
    ['too deep as a tree', nested(10), 'too_complex', /deeper than 10/],
    [
      'too deep as JSON',
      JSON.stringify(Array.from({ length: 11 }).reduce((n) => ({ not: n }), { field: 'a', op: 'is_null' })),
      'too_complex',
      /deeper than 10/,
    ],
    ['a list too long', `a in (${repeat(501, (i) => `${i}`, ',')})`, 'too_complex', /more than 500 values/],
    [
      'a JSON list too long',
      { field: 'a', op: 'in', value: Array.from({ length: 501 }, (_, i) => i) },
      'too_complex',
      /more than 500/,
    ],
  ])('%s', (_, input, code, message) => {
    let error: unknown
    try {
      parseFilter(input)
    } catch (err) {
      error = err
    }
    expect(error).toMatchObject({ status: 400, code: 'invalid_filter', errors: [{ field: 'filter', code }] })
    expect((error as { errors: { message: string }[] }).errors[0]?.message).toMatch(message)
  })
})
