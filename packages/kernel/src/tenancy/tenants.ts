import { type Static, Type } from '@sinclair/typebox'
import { seedTenantRoles } from '../access/seed.ts'
import type { Db, Tx } from '../db/schema.ts'
import { enterTenant, withSystem } from '../db/tenant.ts'
import { Conflict, Invalid } from '../errors/errors.ts'
import { newId } from '../ids.ts'
import { parse } from '../schemas/validate.ts'
import { createCompany, NewCompany } from './companies.ts'

export const SLUG_PATTERN = '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'

export const NewTenant = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' }),
    slug: Type.Optional(Type.String({ pattern: SLUG_PATTERN })),
    plan: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
    /** the first company; its name defaults to the tenant's */
    company: Type.Omit(NewCompany, ['name']),
  },
  { additionalProperties: false },
)
export type NewTenant = Static<typeof NewTenant>

/**
 * Creates a tenant, its role templates and its first company in one transaction: the tenant row
 * as the owner role (global table), the rest as the application role inside the new tenant, so
 * those inserts pass through the same row-level security as every later write.
 */
export async function createTenant(db: Db, input: unknown) {
  const tenant = parse(NewTenant, input)
  return withSystem(db, async (trx) => {
    const row = await insertTenant(trx, tenant)
    await enterTenant(trx, row.id)
    await seedTenantRoles(trx, row.id)
    const company = await createFirstCompany(trx, row, tenant.company)
    return { tenant: row, company }
  })
}

/** Inserts the tenant row. Runs as the owner role (withSystem): tenants is a global table. */
export async function insertTenant(
  trx: Tx,
  tenant: Pick<NewTenant, 'name' | 'slug' | 'plan'>,
  slugField = 'slug',
) {
  const slug = tenant.slug ?? slugify(tenant.name)
  const taken = await trx.selectFrom('tenants').select('id').where('slug', '=', slug).executeTakeFirst()
  if (taken) {
    const message = `The slug "${slug}" is already taken.`
    throw new Conflict(message, 'slug_taken', [{ field: slugField, code: 'taken', message }])
  }
  return trx
    .insertInto('tenants')
    .values({ id: newId(), name: tenant.name.trim(), slug, plan: tenant.plan ?? 'free' })
    .returningAll()
    .executeTakeFirstOrThrow()
}

/** The tenant's first company, named after it; runs inside the tenant (after enterTenant). */
export function createFirstCompany(
  trx: Tx,
  tenant: { id: string; name: string },
  company: NewTenant['company'],
) {
  return createCompany(trx, tenant.id, { ...company, name: tenant.name }).catch((err) => {
    throw err instanceof Invalid ? err.nestedIn('company') : err
  })
}

/** Every tenant, for operators (CLI). */
export function listTenants(db: Db) {
  return withSystem(db, (trx) => trx.selectFrom('tenants').selectAll().orderBy('created_at').execute())
}

export function findTenantBySlug(db: Db, slug: string) {
  return withSystem(db, (trx) =>
    trx.selectFrom('tenants').selectAll().where('slug', '=', slug).executeTakeFirst(),
  )
}

/** A URL-safe slug from a name: "Café Müller & Co." becomes "cafe-muller-co". */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/g, '')
  return slug || `tenant-${newId().slice(-8)}`
}
