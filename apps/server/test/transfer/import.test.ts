import { deflateRawSync } from 'node:zlib'
import { createTestApp, type TestApp } from '@tessera/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addMember, call, createRole, type Member } from '../access/helpers.ts'
import type { SignedUp } from '../auth/helpers.ts'
import { api, create, fieldCodes, tenantWith } from '../entities/helpers.ts'
import { catalogModule } from '../fixtures/modules/catalog.ts'
import { csvRows, exportList, importFile, XLSX, xlsxFile } from './helpers.ts'

/** POST /api/v1/{resource}/import: CSV and XLSX, mapped, dry-run, all or nothing. */
let t: TestApp
let owner: SignedUp
let stranger: SignedUp
let creator: Member

interface RowError {
  row: number
  field: string
  code: string
  message: string
}

const names = async (token = owner.accessToken, resource = 'catalog-items') => {
  const res = await api(t, token, 'GET', `/api/v1/${resource}?sort=name&limit=200`)
  expect(res.statusCode, res.body).toBe(200)
  return (res.json().data as { name: string }[]).map((r) => r.name)
}
const rowErrors = (res: { json(): { errors?: RowError[] } }) =>
  (res.json().errors ?? []).map((e) => `${e.row} ${e.field}: ${e.code}`)

beforeAll(async () => {
  t = await createTestApp({ modules: [catalogModule], env: { TESSERA_BODY_LIMIT: String(256 * 1024) } })
  owner = await tenantWith(t, ['catalog'])
  stranger = await tenantWith(t, ['catalog'])
  await createRole(t, owner.accessToken, 'creator', ['catalog.item:read', 'catalog.item:create'])
  creator = await addMember(t, owner, ['creator'])
})
afterAll(async () => t?.close())

describe('a good file writes every row', () => {
  it('CSV: converts each cell to its field type', async () => {
    const csv = [
      'name,kind,quantity,weight,price,active,colours,launched_on,checked_at,attributes',
      'Anvil,good,3,12.5,99.90 EUR,no,red;blue,2026-02-01,2026-02-01T10:00:00Z,"{""size"":""L""}"',
      '"Bolt, steel",good,+7,0.010,USD 1.25,YES,,,,',
      'Consulting,service,,,,1,green,,,',
    ].join('\r\n')
    const res = await importFile(t, owner.accessToken, 'catalog-items', csv)
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json()).toMatchObject({
      dry_run: false,
      rows: 3,
      valid: 3,
      invalid: 0,
      created: 3,
      errors: [],
    })
    const list = await api(t, owner.accessToken, 'GET', '/api/v1/catalog-items?sort=name')
    expect(list.json().data).toMatchObject([
      {
        name: 'Anvil',
        quantity: 3,
        weight: '12.500',
        price: { amount: '99.90', currency: 'EUR' },
        active: false,
        colours: ['red', 'blue'],
        launched_on: '2026-02-01',
        checked_at: '2026-02-01T10:00:00.000Z',
        attributes: { size: 'L' },
      },
      {
        name: 'Bolt, steel',
        quantity: 7,
        weight: '0.010',
        price: { amount: '1.25', currency: 'USD' },
        active: true,
      },
      { name: 'Consulting', quantity: null, active: true, colours: ['green'] },
    ])
  })

  it('XLSX: numbers, booleans and dates as the spreadsheet stores them', async () => {
    const file = await xlsxFile([
      ['Name', 'Kind', 'Quantity', 'Price', 'Price currency', 'Active', 'Launched on'],
      ['Xlsx crate', 'good', 12, 4.5, 'EUR', true, new Date(Date.UTC(2026, 4, 17))],
    ])
    const res = await importFile(t, owner.accessToken, 'catalog-items', file, {
      type: XLSX,
      query: {
        mapping: JSON.stringify({
          Name: 'name',
          Kind: 'kind',
          Quantity: 'quantity',
          Price: 'price',
          'Price currency': 'price_currency',
          Active: 'active',
          'Launched on': 'launched_on',
        }),
      },
    })
    expect(res.statusCode, res.body).toBe(201)
    const found = await api(
      t,
      owner.accessToken,
      'GET',
      `/api/v1/catalog-items?filter=${encodeURIComponent("name = 'Xlsx crate'")}`,
    )
    expect(found.json().data).toMatchObject([
      { quantity: 12, price: { amount: '4.50', currency: 'EUR' }, active: true, launched_on: '2026-05-17' },
    ])
  })

  it('mapping: columns named otherwise, a column left out, a reference by its display value', async () => {
    const parent = await create(t, owner.accessToken, 'catalog-items', { name: 'Parent unit', kind: 'good' })
    const csv = 'Item,Type,Comment,Parent\r\nMapped one,good,ignore me,Parent unit\r\n'
    const res = await importFile(t, owner.accessToken, 'catalog-items', csv, {
      query: { mapping: JSON.stringify({ Item: 'name', Type: 'kind', Comment: null, Parent: 'parent' }) },
    })
    expect(res.statusCode, res.body).toBe(201)
    const found = await api(
      t,
      owner.accessToken,
      'GET',
      `/api/v1/catalog-items?filter=${encodeURIComponent("name = 'Mapped one'")}`,
    )
    expect(found.json().data).toMatchObject([{ parent: parent.id, description: null }])
  })

  it('custom fields by name and an exported file imported into another tenant, formulas round-tripped', async () => {
    const field = await call(t, owner.accessToken, 'POST', '/api/v1/meta/entities/catalog.item/fields', {
      key: 'shelf',
      type: 'text',
      label: 'Shelf',
    })
    expect(field.statusCode, field.body).toBe(201)
    await create(t, owner.accessToken, 'catalog-items', {
      name: '=HYPERLINK("http://evil.example")',
      kind: 'good',
      custom: { shelf: 'B-2' },
    })
    const exported = await exportList(t, owner.accessToken, 'catalog-items', {
      filter: 'name = \'=HYPERLINK("http://evil.example")\'',
      fields: 'id,name,kind,custom.shelf,created_at',
    })
    expect(csvRows(exported.rawPayload)[1]?.[1]).toBe('\'=HYPERLINK("http://evil.example")')
    const res = await importFile(t, owner.accessToken, 'catalog-items', exported.rawPayload)
    expect(res.statusCode, res.body).toBe(201)
    const copies = await api(
      t,
      owner.accessToken,
      'GET',
      `/api/v1/catalog-items?filter=${encodeURIComponent("custom.shelf = 'B-2'")}`,
    )
    expect(copies.json().data.map((r: { name: string }) => r.name)).toEqual([
      '=HYPERLINK("http://evil.example")',
      '=HYPERLINK("http://evil.example")',
    ])
  })
})

describe('bad rows: reported by row, and nothing is written', () => {
  const BAD = [
    'name,kind,quantity,active,email,parent',
    'Fine row,good,1,true,,',
    ',good,2,true,,',
    'Bad kind,gizmo,abc,maybe,not-an-email,',
    'Fine too,service,,,,',
    'Orphan,good,,,,Nobody by that name',
  ].join('\n')

  it('a dry run validates every row, reports each one and writes nothing', async () => {
    const before = await names()
    const res = await importFile(t, owner.accessToken, 'catalog-items', BAD, { query: { dry_run: 'true' } })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({ dry_run: true, rows: 5, valid: 2, invalid: 3, created: 0 })
    expect(rowErrors(res)).toEqual([
      '3 name: required',
      '4 quantity: type',
      '4 active: type',
      '4 kind: enum',
      '4 email: format',
      '6 parent: reference_not_found',
    ])
    expect(await names()).toEqual(before)
  })

  it('a dry run of a good file reports it valid and still writes nothing', async () => {
    const before = await names()
    const res = await importFile(t, owner.accessToken, 'catalog-items', 'name,kind\nDry only,good\n', {
      query: { dry_run: 'true' },
    })
    expect(res.json()).toMatchObject({ rows: 1, valid: 1, created: 0, errors: [] })
    expect(await names()).toEqual(before)
  })

  it('one bad row among good ones: 400 naming the row, nothing written', async () => {
    const before = await names()
    const csv = 'name,kind\nGood A,good\nGood B,good\nBad C,gizmo\nGood D,service\n'
    const res = await importFile(t, owner.accessToken, 'catalog-items', csv)
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({
      code: 'import_invalid',
      detail: '1 of 4 rows are invalid; nothing was imported.',
    })
    expect(rowErrors(res)).toEqual(['4 kind: enum'])
    expect(await names()).toEqual(before)
  })

  it('a duplicate unique value inside the file is the second row’s error', async () => {
    const before = await names()
    const csv = 'name,kind,code\nFirst,good,DU-001\nSecond,good,DU-001\n'
    const res = await importFile(t, owner.accessToken, 'catalog-items', csv)
    expect(res.statusCode).toBe(400)
    expect(res.json().errors).toMatchObject([{ row: 3, field: 'code' }])
    expect(await names()).toEqual(before)
  })
})

describe('the file and the mapping are checked before any row', () => {
  it.each([
    ['an unknown column', 'name,kind,colour_code\nA,good,1\n', {}, ['colour_code: unmapped_column']],
    ['two columns for one field', 'name,Name,kind\nA,B,good\n', {}, ['Name: duplicate_column']],
    [
      'a mapping to no field',
      'name,kind\nA,good\n',
      { mapping: '{"name":"nom"}' },
      ['mapping: unknown_field'],
    ],
    [
      'a mapping of a missing column',
      'name,kind\nA,good\n',
      { mapping: '{"nope":"name"}' },
      ['mapping: invalid_mapping'],
    ],
    ['a mapping that is not JSON', 'name,kind\nA,good\n', { mapping: '{name' }, ['mapping: invalid_mapping']],
    ['a header without rows', 'name,kind\n', {}, ['(body): empty_file']],
    ['an empty file', '', {}, ['(body): empty_file']],
    ['a broken CSV', 'name,kind\n"A,good\n', {}, ['(body): invalid_csv']],
    ['an unknown parameter', 'name,kind\nA,good\n', { dryrun: 'true' }, ['dryrun: additionalProperties']],
  ])('%s: 400', async (_label, body, query, codes) => {
    const before = await names()
    const res = await importFile(t, owner.accessToken, 'catalog-items', body, { query })
    expect(res.statusCode, res.body).toBe(400)
    if (_label !== 'an unknown parameter') expect(fieldCodes(res)).toEqual(codes)
    expect(await names()).toEqual(before)
  })

  it('a computed or system column from an export is left out, not an error', async () => {
    const res = await importFile(
      t,
      owner.accessToken,
      'catalog-items',
      'id,name,kind,display_name,version\n,Sys,good,x,3\n',
    )
    expect(res.statusCode, res.body).toBe(201)
  })

  it('an XLSX that is not one, and a zip bomb, are refused', async () => {
    const notXlsx = await importFile(t, owner.accessToken, 'catalog-items', 'name,kind\nA,good\n', {
      type: XLSX,
    })
    expect(notXlsx.statusCode).toBe(400)
    expect(fieldCodes(notXlsx)).toEqual(['(body): invalid_xlsx'])
    const bomb = await importFile(
      t,
      owner.accessToken,
      'catalog-items',
      zipOf('xl/worksheets/sheet1.xml', Buffer.alloc(80 * 1024 * 1024)),
      {
        type: XLSX,
      },
    )
    expect(bomb.statusCode).toBe(400)
    expect(bomb.json().detail).toContain('unpacks to more than')
  })

  it('a body over the limit is 413, and the wrong content type 415', async () => {
    const big = `name,kind\n${'Row,good\n'.repeat(40_000)}`
    const tooBig = await importFile(t, owner.accessToken, 'catalog-items', big)
    expect(tooBig.statusCode).toBe(413)
    expect(tooBig.json().code).toBe('body_too_large')
    for (const type of ['application/json', 'text/plain', 'multipart/mixed; boundary=x']) {
      const res = await importFile(t, owner.accessToken, 'catalog-items', '{"name":"A"}', { type })
      expect(res.statusCode, type).toBe(415)
      expect(res.json().code).toBe('unsupported_media_type')
    }
    const form = await importFile(t, owner.accessToken, 'catalog-items', '{"name":"A"}', {
      type: 'multipart/form-data; boundary=x',
    })
    expect(form.statusCode, form.body).toBe(400)
    expect(form.json().errors).toEqual([
      expect.objectContaining({ field: '(body)', code: 'invalid_multipart' }),
    ])
  })
})

describe('import obeys access control', () => {
  it('without the import right: 403 and nothing written', async () => {
    const before = await names()
    const res = await importFile(t, creator.token, 'catalog-items', 'name,kind\nSneaky,good\n')
    expect(res.statusCode).toBe(403)
    expect(res.json().code).toBe('permission_required')
    expect(await names()).toEqual(before)
  })

  it("a reference to another tenant's record is the row's error, by id or by name", async () => {
    const theirs = await create(t, stranger.accessToken, 'catalog-items', {
      name: 'Their parent',
      kind: 'good',
    })
    const csv = `name,kind,parent\nMine,good,${theirs.id}\nMine too,good,Their parent\n`
    const res = await importFile(t, owner.accessToken, 'catalog-items', csv)
    expect(res.statusCode).toBe(400)
    expect(rowErrors(res)).toEqual(['2 parent: reference_not_found', '3 parent: reference_not_found'])
    expect(await names(stranger.accessToken)).toEqual(['Their parent'])
  })

  it('a custom entity imports under /api/v1/custom, into its own tenant only', async () => {
    const made = await call(t, owner.accessToken, 'POST', '/api/v1/meta/entities', {
      name: 'visit',
      label: 'Visit',
      plural_label: 'Visits',
      fields: [{ key: 'place', type: 'text', label: 'Place', required: true }],
    })
    expect(made.statusCode, made.body).toBe(201)
    const res = await importFile(t, owner.accessToken, 'custom/visits', 'Place\nLisbon\nPorto\n')
    expect(res.statusCode, res.body).toBe(201)
    const list = await api(t, owner.accessToken, 'GET', '/api/v1/custom/visits?sort=place')
    expect(list.json().data.map((r: { place: string }) => r.place)).toEqual(['Lisbon', 'Porto'])
    expect((await importFile(t, stranger.accessToken, 'custom/visits', 'Place\nX\n')).statusCode).toBe(404)
  })

  it('Idempotency-Key: a retried import writes once', async () => {
    const csv = 'name,kind\nOnce only,good\n'
    const headers = { 'idempotency-key': 'import-once-1' }
    const first = await importFile(t, owner.accessToken, 'catalog-items', csv, { headers })
    const again = await importFile(t, owner.accessToken, 'catalog-items', csv, { headers })
    expect(first.statusCode).toBe(201)
    expect(again.statusCode).toBe(201)
    expect(again.headers['idempotent-replayed']).toBe('true')
    expect((await names()).filter((n) => n === 'Once only')).toHaveLength(1)
  })
})

/** A zip of one deflated entry, as a zip bomb is built: tiny packed, huge unpacked. */
function zipOf(name: string, content: Buffer): Buffer {
  const packed = deflateRawSync(content, { level: 9 })
  const file = Buffer.from(name)
  const local = Buffer.alloc(30)
  local.writeUInt32LE(0x04034b50, 0)
  local.writeUInt16LE(20, 4)
  local.writeUInt16LE(8, 8)
  local.writeUInt32LE(packed.length, 18)
  local.writeUInt32LE(content.length, 22)
  local.writeUInt16LE(file.length, 26)
  const central = Buffer.alloc(46)
  central.writeUInt32LE(0x02014b50, 0)
  central.writeUInt16LE(20, 4)
  central.writeUInt16LE(20, 6)
  central.writeUInt16LE(8, 10)
  central.writeUInt32LE(packed.length, 20)
  central.writeUInt32LE(content.length, 24)
  central.writeUInt16LE(file.length, 28)
  central.writeUInt32LE(0, 42)
  const directoryAt = local.length + file.length + packed.length
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(1, 8)
  end.writeUInt16LE(1, 10)
  end.writeUInt32LE(central.length + file.length, 12)
  end.writeUInt32LE(directoryAt, 16)
  return Buffer.concat([local, file, packed, central, file, end])
}
