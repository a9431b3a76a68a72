import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  checkSchema,
  kernelGlobalTables,
  kernelMigrations,
  loadMigrations,
  MigrationChanged,
  type MigrationSource,
  migrate,
  pendingMigrations,
} from '@tessera/kernel'
import { createEmptyDatabase, onServer, type TestDatabase } from '@tessera/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let database: TestDatabase
let dir: string
let demo: MigrationSource

const tableExists = async (name: string) =>
  (await sql<{ t: string | null }>`select to_regclass(${name})::text as t`.execute(database.db)).rows[0]?.t !=
  null

beforeAll(async () => {
  database = await createEmptyDatabase()
  dir = mkdtempSync(join(tmpdir(), 'tessera-migrations-'))
  demo = { module: 'demo', dir }
  writeFileSync(
    join(dir, '0001_widgets.sql'),
    `create table widgets (tenant_id uuid not null references tenants (id), id uuid not null, primary key (tenant_id, id));
select tessera_tenant_table('widgets');`,
  )
})
afterAll(async () => {
  await database.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('migrations', () => {
  it('applies kernel then module migrations in order, and a second run applies nothing', async () => {
    const kernelIds = loadMigrations([kernelMigrations]).map((m) => m.id)
    expect(kernelIds.slice(0, 2)).toEqual(['kernel/0001_tenant_table_helper.sql', 'kernel/0002_tenancy.sql'])
    expect(await pendingMigrations(database.db, [kernelMigrations, demo])).toEqual([
      ...kernelIds,
      'demo/0001_widgets.sql',
    ])
    const first = await migrate(database.db, [kernelMigrations, demo])
    expect(first.applied).toEqual([...kernelIds, 'demo/0001_widgets.sql'])
    expect(await migrate(database.db, [kernelMigrations, demo])).toEqual({ applied: [] })
    expect(await pendingMigrations(database.db, [kernelMigrations, demo])).toEqual([])
    expect(await checkSchema(database.db, kernelGlobalTables)).toEqual([])
  })

  it('owns every table by the owner role, not the connecting user', async () => {
    const owners = await sql<{ owner: string }>`
      select distinct pg_get_userbyid(relowner) as owner from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = 'public' and c.relkind = 'r'`.execute(database.db)
    expect(owners.rows).toEqual([{ owner: 'tessera_owner' }])
  })

  it('stops with a clear error and changes nothing when an applied migration was edited', async () => {
    writeFileSync(join(dir, '0001_widgets.sql'), 'create table widgets (id int); -- edited')
    writeFileSync(join(dir, '0002_gadgets.sql'), 'create table gadgets (id int);')
    const run = migrate(database.db, [kernelMigrations, demo])
    await expect(run).rejects.toBeInstanceOf(MigrationChanged)
    await expect(run).rejects.toThrow(/demo\/0001_widgets\.sql.*Nothing was changed/)
    expect(await tableExists('gadgets')).toBe(false)
    await expect(pendingMigrations(database.db, [kernelMigrations, demo])).rejects.toBeInstanceOf(
      MigrationChanged,
    )
  })

  it('treats a CRLF checkout of the same file as unchanged', async () => {
    writeFileSync(
      join(dir, '0001_widgets.sql'),
      `create table widgets (tenant_id uuid not null references tenants (id), id uuid not null, primary key (tenant_id, id));\r
select tessera_tenant_table('widgets');`,
    )
    rmSyncSafe(join(dir, '0002_gadgets.sql'))
    expect(await pendingMigrations(database.db, [kernelMigrations, demo])).toEqual([])
  })

  it('rolls back a failing migration completely and records nothing', async () => {
    writeFileSync(join(dir, '0002_broken.sql'), 'create table half_done (id int); select no_such_function();')
    await expect(migrate(database.db, [kernelMigrations, demo])).rejects.toThrow()
    expect(await tableExists('half_done')).toBe(false)
    expect(await pendingMigrations(database.db, [kernelMigrations, demo])).toEqual(['demo/0002_broken.sql'])
    rmSyncSafe(join(dir, '0002_broken.sql'))
  })

  it.runIf(onServer())(
    'applies each migration once when several processes migrate at the same time',
    async () => {
      writeFileSync(join(dir, '0003_counter.sql'), 'create table counter_once (id int);')
      const results = await Promise.all([1, 2, 3].map(() => migrate(database.db, [kernelMigrations, demo])))
      expect(results.flatMap((r) => r.applied)).toEqual(['demo/0003_counter.sql'])
    },
  )
})

function rmSyncSafe(path: string): void {
  rmSync(path, { force: true })
}
