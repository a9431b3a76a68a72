import { checkSchema, type MenuNode, withTenant } from '@tessera/kernel'
import { allGlobalTables, type TestApp } from '@tessera/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { partnersModule } from '../src/index.ts'
import { addMember, call, createPartnersApp, signUp, tenantWithPartners } from './helpers.ts'

let t: TestApp
beforeAll(async () => {
  t = await createPartnersApp()
})
afterAll(() => t.close())

const ENTITIES = ['partner', 'address', 'tag', 'category']
const ACTIONS = ['read', 'create', 'update', 'delete', 'export', 'import']

describe('the manifest', () => {
  it('declares every entity and its standard rights', () => {
    expect(partnersModule.entities.map((e) => e.key)).toEqual([
      'partners.partner',
      'partners.address',
      'partners.tag',
      'partners.category',
    ])
    expect([...partnersModule.permissions].sort()).toEqual(
      ENTITIES.flatMap((e) => ACTIONS.map((a) => `partners.${e}:${a}`)).sort(),
    )
    expect(partnersModule.globalTables).toEqual(['countries'])
  })

  it('gives users everything but deleting and importing, and managers everything', () => {
    const role = (key: string) => partnersModule.roles.find((r) => r.key === key)?.permissions ?? []
    expect(role('partners_user')).toContain('partners.partner:export')
    expect(role('partners_user')).not.toContain('partners.partner:delete')
    expect(role('partners_user')).not.toContain('partners.partner:import')
    expect([...role('partners_manager')].sort()).toEqual([...partnersModule.permissions].sort())
  })
})

describe('the schema', () => {
  it('keeps every table tenant-scoped except the countries', async () => {
    const globals = [...new Set([...allGlobalTables(), ...(partnersModule.globalTables ?? [])])]
    expect(await checkSchema(t.database.db, globals)).toEqual([])
  })

  it('holds the 249 ISO 3166-1 countries, read-only to the app', async () => {
    const owner = await signUp(t)
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from countries`.execute(t.database.db)
    expect(rows[0]?.n).toBe(249)
    await expect(
      withTenant(t.database.db, owner.tenantId, (trx) =>
        sql`insert into countries (code, name) values ('XX', 'Nowhere')`.execute(trx),
      ),
    ).rejects.toThrow(/permission denied/)
  })
})

describe('activation', () => {
  it('seeds the categories and tags once, and the role templates', async () => {
    const owner = await tenantWithPartners(t)
    const names = (table: string) =>
      withTenant(t.database.db, owner.tenantId, async (trx) =>
        (
          await sql<{ name: string }>`select name from ${sql.table(table)} order by name`.execute(trx)
        ).rows.map((r) => r.name),
      )
    expect(await names('partner_categories')).toEqual(['Customer', 'Prospect', 'Supplier'])
    expect(await names('partner_tags')).toEqual(['Key account', 'Newsletter', 'VIP'])

    await call(t, owner.accessToken, 'PATCH', '/api/v1/modules/partners', { active: false })
    await call(t, owner.accessToken, 'PATCH', '/api/v1/modules/partners', { active: true })
    expect(await names('partner_categories')).toHaveLength(3)

    const roles = await call(t, owner.accessToken, 'GET', '/api/v1/roles')
    const keys = (roles.json().data as { key: string }[]).map((r) => r.key)
    expect(keys).toEqual(expect.arrayContaining(['partners_user', 'partners_manager']))
  })

  it('shows the Contacts menu to whoever may read contacts, and only them', async () => {
    const owner = await tenantWithPartners(t)
    const menu = async (token: string) =>
      ((await call(t, token, 'GET', '/api/v1/menus')).json().data as MenuNode[]).find(
        (n) => n.id === 'partners.root',
      )
    expect((await menu(owner.accessToken))?.children.map((c) => c.id)).toEqual([
      'partners.partners',
      'partners.tags',
      'partners.categories',
    ])
    const plain = await addMember(t, owner, ['user'])
    expect(await menu(plain.token)).toBeUndefined()
    const user = await addMember(t, owner, ['user', 'partners_user'])
    expect((await menu(user.token))?.children).toHaveLength(3)
  })
})

describe('GET /api/v1/countries', () => {
  it('lists the countries to any member of a tenant that activated the module', async () => {
    const owner = await tenantWithPartners(t)
    const member = await addMember(t, owner, ['user'])
    const res = await call(t, member.token, 'GET', '/api/v1/countries')
    expect(res.statusCode).toBe(200)
    const data = res.json().data as { code: string; name: string }[]
    expect(data).toHaveLength(249)
    expect(data[0]).toEqual({ code: 'AD', name: 'Andorra' })
    expect(data).toContainEqual({ code: 'CI', name: "Côte d'Ivoire" })
  })

  it('is not there for a tenant without the module, nor for nobody', async () => {
    const owner = await signUp(t)
    const res = await call(t, owner.accessToken, 'GET', '/api/v1/countries')
    expect(res.statusCode).toBe(404)
    expect(res.headers['content-type']).toContain('application/problem+json')
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/countries' })).statusCode).toBe(401)
  })
})

describe('the OpenAPI document', () => {
  it('describes the contacts and the countries for a tenant that activated the module', async () => {
    const owner = await tenantWithPartners(t)
    const res = await call(t, owner.accessToken, 'GET', '/api/v1/openapi.json')
    expect(res.statusCode).toBe(200)
    const paths = Object.keys(res.json().paths)
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v1/partners',
        '/api/v1/partners/{id}',
        '/api/v1/partner-tags',
        '/api/v1/partner-categories',
        '/api/v1/countries',
      ]),
    )
    expect(paths).not.toContain('/api/v1/partner-addresses')
    const other = await signUp(t)
    const theirs = Object.keys((await call(t, other.accessToken, 'GET', '/api/v1/openapi.json')).json().paths)
    expect(theirs).not.toContain('/api/v1/partners')
  })
})
