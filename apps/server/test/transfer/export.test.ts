import { createTestApp, type TestApp } from '@tessera/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addMember, call, createRole, type Member } from '../access/helpers.ts'
import type { SignedUp } from '../auth/helpers.ts'
import { api, create, fieldCodes, tenantWith } from '../entities/helpers.ts'
import { catalogModule } from '../fixtures/modules/catalog.ts'
import { csvRows, exportList, xlsxRows } from './helpers.ts'

/** GET /api/v1/{resource}/export: CSV and XLSX of a list, through the list's own access control. */
let t: TestApp
let owner: SignedUp
let stranger: SignedUp
let clerk: Member
let reader: Member

/** Text a spreadsheet would run as a formula, stored as items' descriptions (and names, where text allows). */
const PAYLOADS = ['=HYPERLINK("http://evil.example","click")', '+1', '-2', '@SUM(A1:A9)', '\tTab', '\rReturn']
/** a name (text) cannot hold a tab or a carriage return */
const nameOf = (payload: string) => (/^[\t\r]/.test(payload) ? `x${payload.trim()}` : payload)
/** what the export writes for a name: the quote prefix on all but the control-character stand-ins */
const escaped = (name: string) => (name.startsWith('x') ? name : `'${name}`)

beforeAll(async () => {
  t = await createTestApp({ modules: [catalogModule] })
  owner = await tenantWith(t, ['catalog'])
  stranger = await tenantWith(t, ['catalog'])
  const item = (body: Record<string, unknown>) => create(t, owner.accessToken, 'catalog-items', body)
  await item({
    name: 'Anvil, "heavy"',
    kind: 'good',
    quantity: 3,
    weight: '12.500',
    price: { amount: '99.90', currency: 'EUR' },
    active: false,
    colours: ['red', 'blue'],
    launched_on: '2026-02-01',
    description: 'line one\nline two',
    secret_note: 'cost 20',
  })
  await item({ name: 'Consulting', kind: 'service', secret_note: 'margin' })
  for (const p of PAYLOADS) await item({ name: nameOf(p), kind: 'good', description: p })
  await create(t, stranger.accessToken, 'catalog-items', { name: 'Foreign item', kind: 'good' })

  await createRole(t, owner.accessToken, 'clerk', ['catalog.item:read', 'catalog.item:export'])
  clerk = await addMember(t, owner, ['clerk'])
  for (const [path, body] of [
    ['record-rules', { role: 'clerk', entity: 'catalog.item', filter: "kind = 'service'" }],
    ['field-rules', { role: 'clerk', entity: 'catalog.item', field: 'secret_note', access: 'hidden' }],
  ] as const) {
    const res = await call(t, owner.accessToken, 'POST', `/api/v1/access/${path}`, body)
    expect(res.statusCode, res.body).toBe(201)
  }
  await createRole(t, owner.accessToken, 'reader', ['catalog.item:read'])
  reader = await addMember(t, owner, ['reader'])
})
afterAll(async () => t?.close())

describe('CSV export', () => {
  it('writes the filtered, sorted list with the chosen columns, RFC 4180 quoted', async () => {
    const res = await exportList(t, owner.accessToken, 'catalog-items', {
      filter: "name = 'Anvil, \"heavy\"' or kind = 'service'",
      sort: 'name',
      fields: 'name,quantity,weight,price,active,colours,launched_on,description',
    })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="catalog-items-\d{4}-\d{2}-\d{2}\.csv"$/,
    )
    expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]))
    expect(res.body).toContain('"Anvil, ""heavy"""')
    expect(csvRows(res.rawPayload)).toEqual([
      [
        'name',
        'quantity',
        'weight',
        'price',
        'price_currency',
        'active',
        'colours',
        'launched_on',
        'description',
      ],
      [
        'Anvil, "heavy"',
        '3',
        '12.500',
        '99.90',
        'EUR',
        'false',
        'red;blue',
        '2026-02-01',
        'line one\nline two',
      ],
      ['Consulting', '', '', '', '', 'true', '', '', ''],
    ])
  })

  it('exports every visible field by default, in pages past the list limit', async () => {
    const labels = Array.from({ length: 250 }, (_, i) => ({ name: `label-${String(i).padStart(3, '0')}` }))
    const bulk = await api(t, owner.accessToken, 'POST', '/api/v1/catalog-labels/bulk', { records: labels })
    expect(bulk.statusCode, bulk.body).toBe(201)
    const res = await exportList(t, owner.accessToken, 'catalog-labels', { sort: 'name' })
    const rows = csvRows(res.rawPayload)
    expect(rows[0]).toEqual(['id', 'name', 'created_at', 'updated_at'])
    expect(rows).toHaveLength(251)
    expect(rows.slice(1).map((r) => r[1])).toEqual(labels.map((l) => l.name))
    const items = csvRows((await exportList(t, owner.accessToken, 'catalog-items')).rawPayload)
    expect(items[0]).toEqual(
      expect.arrayContaining(['id', 'name', 'secret_note', 'display_name', 'created_at']),
    )
    expect(items[0]).not.toContain('custom')
  })

  it('escapes every cell that would start a formula', async () => {
    const res = await exportList(t, owner.accessToken, 'catalog-items', {
      filter: "kind = 'good' and name != 'Anvil, \"heavy\"'",
      fields: 'name,description',
      sort: 'created_at',
    })
    const rows = csvRows(res.rawPayload).slice(1)
    expect(rows).toEqual(PAYLOADS.map((p) => [escaped(nameOf(p)), `'${p}`]))
    expect(rows.map((r) => r[1]).every((d) => d?.startsWith("'"))).toBe(true)
  })
})

describe('XLSX export', () => {
  it('writes a workbook exceljs reads back, numbers as numbers, formulas escaped', async () => {
    const res = await exportList(t, owner.accessToken, 'catalog-items', {
      format: 'xlsx',
      filter: "kind = 'good'",
      sort: 'created_at',
      fields: 'name,quantity,weight,price,active,description',
    })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    )
    const rows = await xlsxRows(res.rawPayload)
    expect(rows[0]).toEqual([
      'name',
      'quantity',
      'weight',
      'price',
      'price_currency',
      'active',
      'description',
    ])
    expect(rows[1]).toEqual(['Anvil, "heavy"', 3, 12.5, 99.9, 'EUR', false, 'line one\nline two'])
    // XML reads a carriage return back as a line feed: the escape is what matters
    const lf = (text: unknown) => String(text).replaceAll('\r', '\n')
    expect(rows.slice(2).map((r) => lf(r[6]))).toEqual(PAYLOADS.map((p) => lf(`'${p}`)))
    expect(rows.slice(2).map((r) => r[0])).toEqual(PAYLOADS.map((p) => escaped(nameOf(p))))
    // no cell of the workbook is a formula
    expect(JSON.stringify(rows)).not.toContain('"formula"')
  })
})

describe('export obeys access control', () => {
  it('record rules and hidden fields apply; a hidden column is refused', async () => {
    const res = await exportList(t, clerk.token, 'catalog-items')
    expect(res.statusCode, res.body).toBe(200)
    const rows = csvRows(res.rawPayload)
    expect(rows[0]).not.toContain('secret_note')
    expect(rows.slice(1).map((r) => r[rows[0]?.indexOf('name') ?? -1])).toEqual(['Consulting'])
    expect(res.body).not.toContain('margin')
    const hidden = await exportList(t, clerk.token, 'catalog-items', { fields: 'name,secret_note' })
    expect(hidden.statusCode).toBe(400)
    expect(fieldCodes(hidden)).toEqual(['fields: unknown_field'])
  })

  it('without the export right: 403, and no data', async () => {
    const res = await exportList(t, reader.token, 'catalog-items')
    expect(res.statusCode).toBe(403)
    expect(res.json().code).toBe('permission_required')
    expect(res.body).not.toContain('Consulting')
  })

  it("never holds another tenant's records", async () => {
    const res = await exportList(t, owner.accessToken, 'catalog-items', { format: 'csv' })
    expect(res.body).not.toContain('Foreign item')
    const theirs = csvRows((await exportList(t, stranger.accessToken, 'catalog-items')).rawPayload)
    expect(theirs).toHaveLength(2)
  })

  it('a custom entity exports under /api/v1/custom', async () => {
    const made = await call(t, owner.accessToken, 'POST', '/api/v1/meta/entities', {
      name: 'visit',
      label: 'Visit',
      plural_label: 'Visits',
      fields: [{ key: 'place', type: 'text', label: 'Place', required: true }],
    })
    expect(made.statusCode, made.body).toBe(201)
    await create(t, owner.accessToken, 'custom/visits', { place: '=cmd|" /C calc"!A0' })
    const res = await exportList(t, owner.accessToken, 'custom/visits', { fields: 'place' })
    expect(res.statusCode, res.body).toBe(200)
    expect(csvRows(res.rawPayload)).toEqual([['place'], ['\'=cmd|" /C calc"!A0']])
    expect((await exportList(t, stranger.accessToken, 'custom/visits')).statusCode).toBe(404)
  })
})

describe('export refuses bad input with 400 naming the parameter', () => {
  it.each([
    [{ format: 'pdf' }, 'format'],
    [{ filter: 'nonsense ===' }, 'filter'],
    [{ sort: 'secretive' }, 'sort'],
    [{ fields: 'name,nope' }, 'fields'],
    [{ limit: '5' }, 'limit'],
  ])('%o', async (query, field) => {
    const res = await exportList(t, owner.accessToken, 'catalog-items', query as Record<string, string>)
    expect(res.statusCode, res.body).toBe(400)
    expect(res.headers['content-type']).toContain('application/problem+json')
    expect(fieldCodes(res).map((c) => c.split(':')[0])).toContain(field)
  })
})
