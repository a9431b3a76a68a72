import { sql } from 'kysely'
import { Invalid } from '../errors/errors.ts'
import { APP_ROLE, OWNER_ROLE } from './roles.ts'
import type { Db, Tx } from './schema.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value)
}

/**
 * Runs `fn` in one transaction as the application role, scoped to one tenant. Both settings are
 * transaction-local (`set_config(..., true)`), so they vanish at commit or rollback and can never
 * leak to the next user of a pooled connection. Row-level security does the filtering.
 */
export async function withTenant<T>(db: Db, tenantId: string, fn: (trx: Tx) => Promise<T>): Promise<T> {
  if (!isUuid(tenantId)) throw Invalid.field('tenant_id', 'The tenant id is not a UUID.')
  return db.transaction().execute(async (trx) => {
    await enterTenant(trx, tenantId)
    return fn(trx)
  })
}

/** Switches an open transaction to the application role and the given tenant. */
export async function enterTenant(trx: Tx, tenantId: string): Promise<void> {
  await sql`select set_config('role', ${APP_ROLE}, true), set_config('app.tenant_id', ${tenantId}, true)`.execute(
    trx,
  )
}

/**
 * Runs `fn` in one transaction as the owner role with no tenant: for platform work on global
 * tables (creating a tenant, listing tenants for an operator). Tenant tables stay closed to it
 * because their RLS is forced, so this cannot read any tenant's business data by accident.
 */
export function withSystem<T>(db: Db, fn: (trx: Tx) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`select set_config('role', ${OWNER_ROLE}, true)`.execute(trx)
    return fn(trx)
  })
}
