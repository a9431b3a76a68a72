import { type Tx, withTenant } from '@tessera/kernel'
import { createTestApp, type TestApp } from '@tessera/testing'
import { sql } from 'kysely'
import { expect } from 'vitest'
import { call } from '../access/helpers.ts'
import { type SignedUp, signUp } from '../auth/helpers.ts'
import { gadgetsModule } from '../fixtures/modules/gadgets.ts'

/** Shared set-up of the metadata tests: the gadgets fixture module, active in each tenant signed up. */

export const metaApp = () => createTestApp({ modules: [gadgetsModule] })

/** A new tenant with the gadgets module active; its owner holds `*`. */
export async function gadgetTenant(t: TestApp): Promise<SignedUp> {
  const owner = await signUp(t)
  const res = await call(t, owner.accessToken, 'PATCH', '/api/v1/modules/gadgets', { active: true })
  if (res.statusCode !== 200) throw new Error(`activating gadgets: ${res.statusCode} ${res.body}`)
  return owner
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE'

/** A request to /api/v1/meta. */
export const meta = (
  t: TestApp,
  token: string,
  method: Method,
  path: string,
  payload?: unknown,
  ifMatch?: number,
) => call(t, token, method, `/api/v1/meta${path}`, payload, ifMatch)

export const sqlIn = <T>(t: TestApp, tenantId: string, query: (trx: Tx) => Promise<T>) =>
  withTenant(t.database.db, tenantId, query)

/** What the definitions of a tenant look like in the database: any write changes it. */
export const definitionState = (t: TestApp, tenantId: string) =>
  sqlIn(t, tenantId, async (trx) => {
    const { rows } = await sql<Record<string, unknown>>`
      select (select count(*)::int from custom_fields) as fields,
             (select coalesce(sum(version), 0)::int from custom_fields) as field_versions,
             (select count(*)::int from custom_fields where removed_at is not null) as removed,
             (select count(*)::int from custom_entities) as entities,
             (select coalesce(sum(version), 0)::int from custom_entities) as entity_versions,
             (select count(*)::int from unique_values) as unique_values,
             (select count(*)::int from records) as records,
             (select coalesce(string_agg(custom::text, ',' order by id), '') from gadgets_gadgets) as gadget_custom`.execute(
      trx,
    )
    return rows[0]
  })

/** Inserts a gadget row directly, with `custom` as given. */
export async function insertGadget(
  t: TestApp,
  tenantId: string,
  name: string,
  custom: Record<string, unknown> = {},
): Promise<string> {
  return sqlIn(t, tenantId, async (trx) => {
    const { rows } = await sql<{ id: string }>`
      insert into gadgets_gadgets (tenant_id, id, name, state, custom)
      values (${tenantId}, gen_random_uuid(), ${name}, 'draft', ${JSON.stringify(custom)}::jsonb)
      returning id`.execute(trx)
    return (rows[0] as { id: string }).id
  })
}

/** The stored `custom` of a gadget, as the database holds it (removed fields included). */
export const storedCustom = (t: TestApp, tenantId: string, id: string) =>
  sqlIn(t, tenantId, async (trx) => {
    const { rows } = await sql<{ custom: Record<string, unknown> }>`
      select custom from gadgets_gadgets where id = ${id}`.execute(trx)
    return rows[0]?.custom
  })

/** A problem response: its status, code and the fields it names. */
export function expectProblem(
  res: { statusCode: number; json(): unknown; body: string },
  status: number,
  field?: string,
): { code: string; detail: string; errors?: { field: string; code: string }[] } {
  const body = res.json() as { code: string; detail: string; errors?: { field: string; code: string }[] }
  expect(res.statusCode, res.body).toBe(status)
  if (field !== undefined)
    expect(
      body.errors?.map((e) => e.field),
      res.body,
    ).toContain(field)
  return body
}
