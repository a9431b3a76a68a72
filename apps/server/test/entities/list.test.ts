import { createTestApp, type TestApp } from '@tessera/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SignedUp } from '../auth/helpers.ts'
import { catalogModule } from '../fixtures/modules/catalog.ts'
import { api, create, fieldCodes, tenantWith } from './helpers.ts'

let t: TestApp
let owner: SignedUp
const labels: Record<string, string> = {}
beforeAll(async () => {
  t = await createTestApp({ modules: [catalogModule] })
  owner = await tenantWith(t, ['catalog'])
  for (const name of ['sale', 'new'])
    labels[name] = (await create(t, owner.accessToken, 'catalog-labels', { name })).id
  const parent = await create(t, owner.accessToken, 'catalog-items', {
    name: 'Parent',
    kind: 'good',
    code: 'PA-001',
  })
  for (let i = 0; i < 25; i++) {
    await create(t, owner.accessToken, 'catalog-items', {
      name: `Item ${String(i).padStart(2, '0')}`,
      kind: i % 2 ? 'good' : 'service',
      quantity: i % 5 === 0 ? null : i,
      price: { amount: `${i}.50`, currency: 'EUR' },
      colours: i % 3 ? ['red'] : ['blue'],
      labels: i % 4 ? [labels.sale] : [labels.sale, labels.new],
      ...(i < 3 ? { parent: parent.id } : {}),
    })
  }
})
afterAll(async () => t?.close())

const list = (query: string) => api(t, owner.accessToken, 'GET', `/api/v1/catalog-items?${query}`)
const names = (res: { json(): { data: { name: string }[] } }) => res.json().data.map((r) => r.name)
const q = encodeURIComponent

describe('list', () => {
  it('filters in the filter language, including through a reference and on many-to-many ids', async () => {
    const res = await list(`filter=${q("kind = 'good' and quantity >= 20")}&sort=name`)
    expect(res.statusCode, res.body).toBe(200)
    expect(names(res)).toEqual(['Item 21', 'Item 23'])
    const through = await list(`filter=${q("parent.code = 'PA-001'")}&sort=name`)
    expect(names(through)).toEqual(['Item 00', 'Item 01', 'Item 02'])
    const money = await list(`filter=${q("price > 23 and colours in ('red')")}`)
    expect(money.statusCode, money.body).toBe(200)
    expect(names(money)).toEqual(['Item 23'])
    const nulls = await list(`filter=${q('quantity is null')}&count=true&limit=1`)
    expect(nulls.json().count).toBe(6)
  })

  it('pages with a cursor over any sort, nulls included, without skipping or repeating', async () => {
    for (const sort of ['name', '-name', 'quantity,name', '-quantity', 'kind,-quantity']) {
      const seen: string[] = []
      let cursor: string | null = null
      do {
        const res = await list(`sort=${q(sort)}&limit=4${cursor ? `&cursor=${q(cursor)}` : ''}`)
        expect(res.statusCode, res.body).toBe(200)
        seen.push(...names(res))
        cursor = res.json().next_cursor
      } while (cursor)
      expect(seen, sort).toHaveLength(26)
      expect(new Set(seen).size, sort).toBe(26)
      const whole = await list(`sort=${q(sort)}&limit=200`)
      expect(seen, sort).toEqual(names(whole))
    }
  })

  it('shapes with fields and include, and counts', async () => {
    const res = await list(
      `filter=${q("name = 'Item 00'")}&fields=name,parent,labels&include=parent,labels&count=true`,
    )
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json().count).toBe(1)
    const [row] = res.json().data
    expect(Object.keys(row).sort()).toEqual(['id', 'labels', 'name', 'parent'])
    expect(row.parent).toMatchObject({ name: 'Parent', code: 'PA-001' })
    expect(row.labels.map((l: { name: string }) => l.name).sort()).toEqual(['new', 'sale'])
  })

  it('searches with q over the search fields', async () => {
    const res = await list(`q=${q('item 1')}&sort=name&limit=3`)
    expect(names(res)).toEqual(['Item 10', 'Item 11', 'Item 12'])
  })

  const bad: [string, string, string][] = [
    ['limit over the maximum', 'limit=201', 'limit: out_of_range'],
    ['limit zero', 'limit=0', 'limit: out_of_range'],
    ['unknown filter field', `filter=${q("colour = 'red'")}`, 'filter: unknown_field'],
    ['filter injection', `filter=${q("name = 'x' or 1=1; drop table catalog_items --")}`, 'filter: syntax'],
    ['sort injection', `sort=${q('name; drop table x')}`, 'sort: unknown_field'],
    ['sort on unknown', 'sort=nope', 'sort: unknown_field'],
    ['unknown fields=', 'fields=name,nope', 'fields: unknown_field'],
    ['include of a scalar', 'include=name', 'include: unknown_field'],
    [
      'forged cursor',
      `cursor=${q(Buffer.from('{"s":"name","v":["x"],"id":"nope"}').toString('base64url'))}&sort=name`,
      'cursor: invalid_cursor',
    ],
  ]
  it.each(bad)('%s is 400 naming the parameter', async (_name, query, error) => {
    const res = await list(query)
    expect(res.statusCode, res.body).toBe(400)
    expect(fieldCodes(res).map((e) => e.replace(/: .*/, ''))).toContain(error.replace(/: .*/, ''))
  })

  it('refuses unknown query parameters', async () => {
    const res = await list('limit=5&hack=1')
    expect(res.statusCode).toBe(400)
  })
})
