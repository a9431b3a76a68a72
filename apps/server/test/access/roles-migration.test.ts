import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  checkSchema,
  enterTenant,
  KERNEL_ROLE_TEMPLATES,
  kernelGlobalTables,
  kernelMigrations,
  migrate,
  withSystem,
  withTenant,
} from '@tessera/kernel'
import { createEmptyDatabase, type TestDatabase } from '@tessera/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/**
 * Tenants that existed before roles did: migration 0009 gives each the role templates, a role for
 * any other key its members hold, and every company to every member.
 */
let database: TestDatabase
let dir: string

const tenantId = '0190f3a0-0000-7000-8000-000000000001'
const companies = ['0190f3a0-0000-7000-8000-0000000000c1', '0190f3a0-0000-7000-8000-0000000000c2']
const users = ['0190f3a0-0000-7000-8000-0000000000a1', '0190f3a0-0000-7000-8000-0000000000a2']
const memberships = ['0190f3a0-0000-7000-8000-0000000000b1', '0190f3a0-0000-7000-8000-0000000000b2']

beforeAll(async () => {
  database = await createEmptyDatabase()
  // the kernel as it was before 0009: the same ids and checksums, so `migrate` later goes on from there
  dir = mkdtempSync(join(tmpdir(), 'tessera-before-roles-'))
  for (const file of readdirSync(kernelMigrations.dir).filter((f) => f < '0009')) {
    copyFileSync(join(kernelMigrations.dir, file), join(dir, file))
  }
  await migrate(database.db, [{ module: 'kernel', dir }])
  await withSystem(database.db, async (trx) => {
    await sql`insert into tenants (id, name, slug) values (${tenantId}, 'Old Co', 'old-co')`.execute(trx)
    for (const [i, id] of users.entries()) {
      await sql`insert into users (id, email, email_normalized, name)
                values (${id}, ${`u${i}@example.com`}, ${`u${i}@example.com`}, 'U')`.execute(trx)
    }
    await enterTenant(trx, tenantId)
    for (const [i, id] of companies.entries()) {
      await sql`insert into companies (tenant_id, id, name, currency, created_at)
                values (${tenantId}, ${id}, ${`Co ${i}`}, 'EUR', now() + make_interval(secs => ${i}))`.execute(
        trx,
      )
    }
    await sql`insert into memberships (tenant_id, id, user_id, roles) values
      (${tenantId}, ${memberships[0]}, ${users[0]}, '{owner}'),
      (${tenantId}, ${memberships[1]}, ${users[1]}, '{user,sales}')`.execute(trx)
  })
  await migrate(database.db, [kernelMigrations])
})
afterAll(async () => {
  await database?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('migration 0009 on an existing tenant', () => {
  it('adds the templates and a role without rights for keys already held', async () => {
    const roles = await withTenant(
      database.db,
      tenantId,
      async (trx) =>
        (
          await sql<{ key: string; permissions: string[]; origin: string | null }>`
        select key, permissions, origin from roles order by key`.execute(trx)
        ).rows,
    )
    expect(roles).toEqual([
      { key: 'admin', permissions: ['*'], origin: 'kernel' },
      {
        key: 'manager',
        permissions: [
          'kernel.member:read',
          'kernel.role:read',
          'kernel.company:read',
          'kernel.settings:read',
          'kernel.audit:read',
          'kernel.webhook:read',
          'kernel.access_rule:read',
        ],
        origin: 'kernel',
      },
      { key: 'owner', permissions: ['*', 'kernel.ownership:transfer'], origin: 'kernel' },
      { key: 'sales', permissions: [], origin: null },
      { key: 'user', permissions: ['kernel.member:read', 'kernel.company:read'], origin: 'kernel' },
    ])
  })

  it('matches the templates new tenants get from code', async () => {
    const roles = await withTenant(
      database.db,
      tenantId,
      async (trx) =>
        (
          await sql<{ key: string; name: string; description: string; permissions: string[] }>`
        select key, name, description, permissions from roles where origin = 'kernel' order by key`.execute(
            trx,
          )
        ).rows,
    )
    const fromCode = [...KERNEL_ROLE_TEMPLATES]
      .sort((a, b) => a.key.localeCompare(b.key))
      .map(({ key, name, description, permissions }) => ({ key, name, description, permissions }))
    expect(roles).toEqual(fromCode)
  })

  it('allows every member every company, the oldest as current', async () => {
    const rows = await withTenant(
      database.db,
      tenantId,
      async (trx) =>
        (
          await sql<{ id: string; current_company_id: string; companies: string[] }>`
        select m.id, m.current_company_id,
               array(select company_id::text from membership_companies mc where mc.membership_id = m.id order by 1) as companies
          from memberships m order by m.id`.execute(trx)
        ).rows,
    )
    expect(rows).toEqual(
      memberships.map((id) => ({ id, current_company_id: companies[0], companies: [...companies].sort() })),
    )
  })

  it('leaves the schema within the tenancy rules', async () => {
    expect(await checkSchema(database.db, kernelGlobalTables)).toEqual([])
  })
})
