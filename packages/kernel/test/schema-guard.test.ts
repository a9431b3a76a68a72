import { checkSchema, type SchemaViolation } from '@tessera/kernel'
import { allGlobalTables, createTestDatabase, type TestDatabase } from '@tessera/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let database: TestDatabase
beforeAll(async () => {
  database = await createTestDatabase()
})
afterAll(() => database.close())

class Rollback extends Error {}

/** Creates `ddl` inside a transaction, runs the guard there, and rolls everything back. */
async function violationsWith(ddl: string): Promise<SchemaViolation[]> {
  let found: SchemaViolation[] = []
  await database.db
    .transaction()
    .execute(async (trx) => {
      await sql.raw(`set local role tessera_owner; ${ddl}`).execute(trx)
      found = await checkSchema(trx, allGlobalTables())
      throw new Rollback()
    })
    .catch((err) => {
      if (!(err instanceof Rollback)) throw err
    })
  return found
}

const TENANT_TABLE = `create table things (tenant_id uuid not null, id uuid not null, primary key (tenant_id, id));
select tessera_tenant_table('things');`

describe('schema guard', () => {
  it('passes on the migrated schema', async () => {
    expect(await checkSchema(database.db, allGlobalTables())).toEqual([])
  })

  it('passes a table made tenant-scoped the standard way', async () => {
    expect(await violationsWith(TENANT_TABLE)).toEqual([])
  })

  it.each([
    [
      'a table without tenant_id',
      'create table loose (id uuid primary key)',
      'has no tenant_id column and is not on the global list',
    ],
    [
      'a primary key not led by tenant_id',
      `create table things (tenant_id uuid not null, id uuid not null, primary key (id, tenant_id));
       select tessera_tenant_table('things');`,
      'primary key must start with tenant_id',
    ],
    [
      'a nullable tenant_id',
      `create table things (tenant_id uuid, id uuid not null, unique (tenant_id, id));
       select tessera_tenant_table('things');`,
      'tenant_id must be uuid not null',
    ],
    [
      'row-level security not enabled',
      'create table things (tenant_id uuid not null, id uuid not null, primary key (tenant_id, id))',
      'row-level security is not enabled',
    ],
    [
      'row-level security not forced',
      `${TENANT_TABLE} alter table things no force row level security;`,
      'row-level security is not forced',
    ],
    [
      'a permissive policy that lets everything through',
      `${TENANT_TABLE} create policy everyone on things using (true);`,
      'policy everyone does not filter on app.tenant_id',
    ],
    [
      'a foreign key to a tenant table without tenant_id',
      `${TENANT_TABLE} create table parts (tenant_id uuid not null, id uuid not null, thing_id uuid not null,
         primary key (tenant_id, id), unique (id));
       alter table things add constraint things_id_key unique (id);
       alter table parts add constraint parts_thing_fk foreign key (thing_id) references things (id);
       select tessera_tenant_table('parts');`,
      'foreign key parts_thing_fk must lead with tenant_id',
    ],
  ])('fails on %s', async (_name, ddl, problem) => {
    const violations = await violationsWith(ddl)
    expect(violations.map((v) => v.problem)).toContain(problem)
  })

  it('fails on a global table the application role can write', async () => {
    const violations = await violationsWith('grant insert on currencies to tessera_app')
    expect(violations).toContainEqual({
      table: 'currencies',
      problem: 'global table is writable by tessera_app',
    })
  })
})
