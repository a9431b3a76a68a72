import {
  checkNumberingPattern,
  createCompany,
  createTenant,
  type NextNumberInput,
  nextNumber,
  parseNumberingPattern,
  TENANT_WIDE,
  validateNumberingPattern,
  withTenant,
} from '@tessera/kernel'
import { createTestDatabase, type TestDatabase } from '@tessera/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let database: TestDatabase
let a: Awaited<ReturnType<typeof createTenant>>
let b: Awaited<ReturnType<typeof createTenant>>

beforeAll(async () => {
  database = await createTestDatabase()
  a = await createTenant(database.db, { name: 'Numbering A', company: { currency: 'EUR' } })
  b = await createTenant(database.db, { name: 'Numbering B', company: { currency: 'EUR' } })
})
afterAll(() => database.close())

const invoice = (overrides: Partial<NextNumberInput> = {}): NextNumberInput => ({
  companyId: a.company.id,
  documentType: 'sales.invoice',
  pattern: 'INV/{YYYY}/{#####}',
  date: '2026-03-15',
  ...overrides,
})

const next = (tenantId: string, input: NextNumberInput) =>
  withTenant(database.db, tenantId, (trx) => nextNumber(trx, input))

class Rollback extends Error {}

/** Takes a number in a transaction that then rolls back. */
async function nextThenRollBack(tenantId: string, input: NextNumberInput): Promise<string> {
  let taken = ''
  await withTenant(database.db, tenantId, async (trx) => {
    taken = await nextNumber(trx, input)
    throw new Rollback()
  }).catch((err) => {
    if (!(err instanceof Rollback)) throw err
  })
  return taken
}

describe('gapless numbering', () => {
  it('formats the pattern and counts up', async () => {
    expect(await next(a.tenant.id, invoice())).toBe('INV/2026/00001')
    expect(await next(a.tenant.id, invoice())).toBe('INV/2026/00002')
  })

  it('fills every token and never truncates a wider number', async () => {
    const input = invoice({
      documentType: 'sales.credit_note',
      pattern: 'CN {YY}-{MM}.{#}',
      date: '2026-11-02',
    })
    for (let i = 1; i <= 9; i++) expect(await next(a.tenant.id, input)).toBe(`CN 26-11.${i}`)
    expect(await next(a.tenant.id, input)).toBe('CN 26-11.10')
  })

  it('keeps one sequence per company, and one tenant-wide sequence for a null company', async () => {
    const second = await withTenant(database.db, a.tenant.id, (trx) =>
      createCompany(trx, a.tenant.id, { name: 'Second company', currency: 'EUR' }),
    )
    const input = invoice({ documentType: 'purchase.bill', pattern: 'BILL-{#####}' })
    expect(await next(a.tenant.id, input)).toBe('BILL-00001')
    expect(await next(a.tenant.id, { ...input, companyId: second.id })).toBe('BILL-00001')
    expect(await next(a.tenant.id, { ...input, companyId: null })).toBe('BILL-00001')
    expect(await next(a.tenant.id, input)).toBe('BILL-00002')
    expect(await next(a.tenant.id, { ...input, companyId: null })).toBe('BILL-00002')
    const rows = await withTenant(database.db, a.tenant.id, (trx) =>
      sql<{ company_id: string; period: string }>`
        select company_id, period from sequences where document_type = 'purchase.bill'
         order by company_id`.execute(trx),
    )
    expect(rows.rows).toContainEqual({ company_id: TENANT_WIDE, period: '' })
    expect(rows.rows).toHaveLength(3)
  })

  it('keeps one sequence per document type', async () => {
    const input = invoice({ documentType: 'sales.order', pattern: 'SO{#####}' })
    expect(await next(a.tenant.id, input)).toBe('SO00001')
    expect(await next(a.tenant.id, { ...input, documentType: 'sales.quote' })).toBe('SO00001')
    expect(await next(a.tenant.id, input)).toBe('SO00002')
  })

  it('starts again at 1 each year, or each month when the pattern shows the month', async () => {
    const yearly = invoice({ documentType: 'hr.payslip', pattern: 'PAY/{YYYY}/{###}' })
    expect(await next(a.tenant.id, { ...yearly, date: '2026-12-31' })).toBe('PAY/2026/001')
    expect(await next(a.tenant.id, { ...yearly, date: '2027-01-01' })).toBe('PAY/2027/001')
    expect(await next(a.tenant.id, { ...yearly, date: '2026-06-30' })).toBe('PAY/2026/002')
    // a Date is read in UTC
    expect(await next(a.tenant.id, { ...yearly, date: new Date('2027-05-01T10:00:00Z') })).toBe(
      'PAY/2027/002',
    )

    const monthly = invoice({ documentType: 'stock.transfer', pattern: 'WH/{YYYY}{MM}/{####}' })
    expect(await next(a.tenant.id, { ...monthly, date: '2026-01-31' })).toBe('WH/202601/0001')
    expect(await next(a.tenant.id, { ...monthly, date: '2026-02-01' })).toBe('WH/202602/0001')
    expect(await next(a.tenant.id, { ...monthly, date: '2026-01-05' })).toBe('WH/202601/0002')
  })

  it('gives a rolled-back number to the next transaction', async () => {
    const input = invoice({ documentType: 'accounting.entry', pattern: 'JE/{YYYY}/{####}' })
    expect(await next(a.tenant.id, input)).toBe('JE/2026/0001')
    expect(await nextThenRollBack(a.tenant.id, input)).toBe('JE/2026/0002')
    expect(await next(a.tenant.id, input)).toBe('JE/2026/0002')
    // a first number rolled back leaves no sequence row behind either
    const fresh = invoice({ documentType: 'accounting.fresh', pattern: '{#}' })
    expect(await nextThenRollBack(a.tenant.id, fresh)).toBe('1')
    expect(await next(a.tenant.id, fresh)).toBe('1')
  })

  it('hands 20 concurrent transactions exactly 1..20, with no duplicate and no hole', async () => {
    const input = invoice({ documentType: 'sales.receipt', pattern: '{####}' })
    const numbers = await Promise.all(Array.from({ length: 20 }, () => next(a.tenant.id, input)))
    expect(numbers.map(Number).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
  })

  it('keeps the committed numbers contiguous when some concurrent transactions roll back', async () => {
    const input = invoice({ documentType: 'sales.delivery', pattern: '{####}' })
    const committed: string[] = []
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 3 === 0
          ? nextThenRollBack(a.tenant.id, input)
          : next(a.tenant.id, input).then((n) => committed.push(n)),
      ),
    )
    expect(committed).toHaveLength(13)
    expect(committed.map(Number).sort((x, y) => x - y)).toEqual(Array.from({ length: 13 }, (_, i) => i + 1))
    expect(await next(a.tenant.id, input)).toBe('0014')
  })

  it("starts another tenant's sequence at 1 and keeps each tenant's rows to itself", async () => {
    const input = invoice({ documentType: 'crm.lead', pattern: 'L{###}' })
    expect(await next(a.tenant.id, input)).toBe('L001')
    expect(await next(a.tenant.id, input)).toBe('L002')
    // even with A's company id, B counts in B's own rows
    expect(await next(b.tenant.id, input)).toBe('L001')
    expect(await next(b.tenant.id, { ...input, companyId: b.company.id })).toBe('L001')
    const seenByB = await withTenant(database.db, b.tenant.id, (trx) =>
      sql<{ tenant_id: string }>`select distinct tenant_id from sequences`.execute(trx),
    )
    expect(seenByB.rows).toEqual([{ tenant_id: b.tenant.id }])
    const forged = withTenant(database.db, b.tenant.id, (trx) =>
      sql`insert into sequences (tenant_id, company_id, document_type, period, last_value)
          values (${a.tenant.id}, ${a.company.id}, 'crm.lead', '', 100)`.execute(trx),
    )
    await expect(forged).rejects.toMatchObject({ code: '42501' })
    expect(await next(a.tenant.id, input)).toBe('L003')
  })

  it('refuses a bad date, company id or document type before counting', async () => {
    const input = invoice({ documentType: 'sales.refused', pattern: '{#}' })
    for (const date of ['2026-02-30', '15.03.2026', '2026-03-15T00:00:00Z', new Date('nope')]) {
      await expect(next(a.tenant.id, { ...input, date })).rejects.toMatchObject({
        status: 400,
        errors: [{ field: 'date' }],
      })
    }
    await expect(next(a.tenant.id, { ...input, companyId: 'not-a-uuid' })).rejects.toMatchObject({
      status: 400,
      errors: [{ field: 'company_id' }],
    })
    await expect(next(a.tenant.id, { ...input, documentType: 'Invoice' })).rejects.toThrow(/entity key/)
    expect(await next(a.tenant.id, input)).toBe('1')
  })
})

describe('numbering patterns', () => {
  it.each([
    ['INV/{YYYY}/{#####}', 'yearly'],
    ['{YY}{MM}-{###}', 'monthly'],
    ['Q {#}', 'never'],
    ['A_b.c-d/{##################}', 'never'],
  ])('accepts %s (resets %s)', (pattern, resets) => {
    expect(checkNumberingPattern(pattern).resets).toBe(resets)
    expect(validateNumberingPattern(pattern).resets).toBe(resets)
  })

  it.each([
    ['no counter', 'INV/{YYYY}', /exactly one counter/],
    ['two counters', '{##}-{##}', /exactly one counter/],
    ['an unknown token', 'INV/{yyyy}/{###}', /Unknown token \{yyyy\}/],
    ['a token with a #', '{#a#}', /Unknown token/],
    ['an unmatched brace', 'INV{/{###}', /unmatched brace/],
    ['a closing brace alone', 'INV}{###}', /unmatched brace/],
    ['a quote', "INV'{###}", /only letters/],
    ['a template expression', '{{###}}', /unmatched brace/],
    ['a formula start', '=HYPERLINK{###}', /only letters/],
    ['non-ASCII text', 'FAKTÜRA{###}', /only letters/],
    ['a month without a year', 'M{MM}-{###}', /needs \{YYYY\} or \{YY\}/],
    ['a counter too wide', `{${'#'.repeat(19)}}`, /at most 18/],
    ['more than 60 characters', `${'X'.repeat(55)}{####}`, /at most 60/],
    ['nothing', '', /must not be empty/],
  ])('refuses %s', (_name, pattern, problem) => {
    const parsed = parseNumberingPattern(pattern)
    expect(parsed.ok).toBe(false)
    expect(parsed.ok ? '' : parsed.problem).toMatch(problem)
    expect(() => checkNumberingPattern(pattern)).toThrow(Error)
    expect(() => validateNumberingPattern(pattern, 'settings.invoice_pattern')).toThrow(
      expect.objectContaining({
        status: 400,
        errors: [expect.objectContaining({ field: 'settings.invoice_pattern' })],
      }),
    )
  })

  it('refuses a pattern that is not a string, naming the field', () => {
    expect(() => validateNumberingPattern(42)).toThrow(
      expect.objectContaining({
        status: 400,
        errors: [expect.objectContaining({ field: 'pattern', code: 'type' })],
      }),
    )
  })

  it('refuses to count with a bad pattern, writing nothing', async () => {
    await expect(next(a.tenant.id, invoice({ documentType: 'sales.bad', pattern: 'INV' }))).rejects.toThrow(
      /exactly one counter/,
    )
    const rows = await withTenant(database.db, a.tenant.id, (trx) =>
      sql`select 1 from sequences where document_type = 'sales.bad'`.execute(trx),
    )
    expect(rows.rows).toEqual([])
  })
})
