import { APP_ROLE, createTenant, objectsOwnedByAppRole, withTenant } from '@tessera/kernel'
import { createTestDatabase, type TestDatabase } from '@tessera/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let database: TestDatabase
let a: Awaited<ReturnType<typeof createTenant>>
let b: Awaited<ReturnType<typeof createTenant>>

beforeAll(async () => {
  database = await createTestDatabase()
  a = await createTenant(database.db, { name: 'Tenant A', company: { currency: 'EUR' } })
  b = await createTenant(database.db, { name: 'Tenant B', company: { currency: 'USD' } })
})
afterAll(() => database.close())

const companyNames = (tenantId: string) =>
  withTenant(database.db, tenantId, (trx) => trx.selectFrom('companies').select('name').execute())

describe('tenant isolation by row-level security', () => {
  it('shows each tenant only its own rows, even to a query with no WHERE clause', async () => {
    expect(await companyNames(a.tenant.id)).toEqual([{ name: 'Tenant A' }])
    expect(await companyNames(b.tenant.id)).toEqual([{ name: 'Tenant B' }])
    const raw = await withTenant(database.db, a.tenant.id, (trx) =>
      sql<{ tenant_id: string }>`select tenant_id from companies`.execute(trx),
    )
    expect(raw.rows.map((r) => r.tenant_id)).toEqual([a.tenant.id])
  })

  it("cannot update or delete another tenant's rows", async () => {
    const updated = await withTenant(database.db, a.tenant.id, (trx) =>
      sql`update companies set name = 'hijacked' where id = ${b.company.id}`.execute(trx),
    )
    expect(Number(updated.numAffectedRows)).toBe(0)
    const everything = await withTenant(database.db, a.tenant.id, (trx) =>
      sql`update companies set name = 'all'`.execute(trx),
    )
    expect(Number(everything.numAffectedRows)).toBe(1)
    const deleted = await withTenant(database.db, a.tenant.id, (trx) =>
      sql`delete from companies where tenant_id = ${b.tenant.id}`.execute(trx),
    )
    expect(Number(deleted.numAffectedRows)).toBe(0)
    expect(await companyNames(b.tenant.id)).toEqual([{ name: 'Tenant B' }])
    await withTenant(database.db, a.tenant.id, (trx) =>
      sql`update companies set name = 'Tenant A'`.execute(trx),
    )
  })

  it("rejects inserting a row carrying another tenant's id", async () => {
    const insert = withTenant(database.db, a.tenant.id, (trx) =>
      sql`insert into companies (tenant_id, id, name, currency) values (${b.tenant.id}, gen_random_uuid(), 'Intruder', 'EUR')`.execute(
        trx,
      ),
    )
    await expect(insert).rejects.toMatchObject({ code: '42501' })
    expect(await companyNames(b.tenant.id)).toEqual([{ name: 'Tenant B' }])
  })

  it('rejects moving a row into another tenant', async () => {
    const move = withTenant(database.db, a.tenant.id, (trx) =>
      sql`update companies set tenant_id = ${b.tenant.id} where id = ${a.company.id}`.execute(trx),
    )
    await expect(move).rejects.toMatchObject({ code: '42501' })
  })

  it('sees zero rows as the application role when no tenant is set', async () => {
    const rows = await database.db.transaction().execute(async (trx) => {
      await sql`select set_config('role', ${APP_ROLE}, true)`.execute(trx)
      return sql`select * from companies`.execute(trx)
    })
    expect(rows.rows).toEqual([])
  })

  it('sees zero rows with an empty tenant setting, and a malformed one is an error', async () => {
    const empty = await database.db.transaction().execute(async (trx) => {
      await sql`select set_config('role', ${APP_ROLE}, true), set_config('app.tenant_id', '', true)`.execute(
        trx,
      )
      return sql`select * from companies`.execute(trx)
    })
    expect(empty.rows).toEqual([])
    const malformed = database.db.transaction().execute(async (trx) => {
      await sql`select set_config('role', ${APP_ROLE}, true), set_config('app.tenant_id', 'x', true)`.execute(
        trx,
      )
      return sql`select * from companies`.execute(trx)
    })
    await expect(malformed).rejects.toMatchObject({ code: '22P02' })
  })

  it('refuses a tenant id that is not a UUID before touching the database', async () => {
    await expect(withTenant(database.db, "' or 1=1 --", async () => 1)).rejects.toMatchObject({ status: 400 })
  })

  it('keeps the tenant and role to the transaction: the next one on the connection starts clean', async () => {
    await companyNames(a.tenant.id)
    const after = await sql<{ tenant: string | null; role: string }>`
      select nullif(current_setting('app.tenant_id', true), '') as tenant, current_user as role`.execute(
      database.db,
    )
    expect(after.rows[0]?.tenant ?? null).toBeNull()
    expect(after.rows[0]?.role).not.toBe(APP_ROLE)
  })

  it("shows the application role only its own tenant's row in the global tenants table", async () => {
    const seen = await withTenant(database.db, a.tenant.id, (trx) =>
      trx.selectFrom('tenants').select('id').execute(),
    )
    expect(seen).toEqual([{ id: a.tenant.id }])
    const write = withTenant(database.db, a.tenant.id, (trx) =>
      sql`update tenants set plan = 'enterprise' where id = ${a.tenant.id}`.execute(trx),
    )
    await expect(write).rejects.toMatchObject({ code: '42501' })
  })

  it('runs requests as a role that owns nothing, is not superuser and cannot bypass RLS', async () => {
    const role = await sql<{ rolsuper: boolean; rolbypassrls: boolean; rolcanlogin: boolean }>`
      select rolsuper, rolbypassrls, rolcanlogin from pg_roles where rolname = ${APP_ROLE}`.execute(
      database.db,
    )
    expect(role.rows).toEqual([{ rolsuper: false, rolbypassrls: false, rolcanlogin: false }])
    expect(await objectsOwnedByAppRole(database.db)).toEqual([])
    const reset = withTenant(database.db, a.tenant.id, (trx) =>
      sql`alter table companies disable row level security`.execute(trx),
    )
    await expect(reset).rejects.toMatchObject({ code: '42501' })
  })
})
