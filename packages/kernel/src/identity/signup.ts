import { type Static, Type } from '@sinclair/typebox'
import { permissionsOfRoleKeys } from '../access/roles.ts'
import { seedTenantRoles } from '../access/seed.ts'
import type { Db } from '../db/schema.ts'
import { enterTenant, withSystem } from '../db/tenant.ts'
import { parse } from '../schemas/validate.ts'
import { NewCompany } from '../tenancy/companies.ts'
import { createFirstCompany, insertTenant, SLUG_PATTERN } from '../tenancy/tenants.ts'
import type { IdentityContext } from './context.ts'
import { assertPasswordAcceptable, checkPassword } from './passwords/index.ts'
import { type RequestMeta, recordSecurityEvent } from './security-events.ts'
import { openSession } from './sessions.ts'
import {
  EmailSchema,
  insertMembership,
  insertUser,
  LocaleSchema,
  normalizeEmail,
  PersonNameSchema,
  TimeZoneSchema,
} from './users.ts'

export const SignupInput = Type.Object(
  {
    name: PersonNameSchema,
    email: EmailSchema,
    password: Type.String({ maxLength: 1024 }),
    locale: Type.Optional(LocaleSchema),
    timezone: Type.Optional(TimeZoneSchema),
    tenant_name: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' }),
    tenant_slug: Type.Optional(Type.String({ pattern: SLUG_PATTERN })),
    company: Type.Omit(NewCompany, ['name']),
  },
  { additionalProperties: false },
)
export type SignupInput = Static<typeof SignupInput>

/**
 * Sign-up: a new tenant, its first company and its owner, in one transaction, and the owner's
 * first session. A failure anywhere leaves nothing behind.
 */
export async function signup(ctx: IdentityContext, input: unknown, meta: RequestMeta) {
  const data = parse(SignupInput, input)
  assertPasswordAcceptable(data.password, { email: data.email, name: data.name })
  const strength = checkPassword(data.password, { email: data.email, name: data.name }).strength
  return withSystem(ctx.db, async (trx) => {
    const tenant = await insertTenant(trx, { name: data.tenant_name, slug: data.tenant_slug }, 'tenant_slug')
    const user = await insertUser(trx, data)
    await enterTenant(trx, tenant.id)
    await seedTenantRoles(trx, tenant.id)
    const company = await createFirstCompany(trx, tenant, data.company)
    await insertMembership(trx, tenant.id, user.id, ['owner'])
    await recordSecurityEvent(trx, tenant.id, 'signup', meta, { userId: user.id })
    const session = await openSession(ctx, trx, tenant.id, user.id, meta, 'password')
    return {
      status: 'ok' as const,
      user: { id: user.id, email: user.email, name: user.name },
      tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name },
      company: { id: company.id, name: company.name, currency: company.currency },
      password_strength: strength,
      ...session,
    }
  })
}

export const RoleNameSchema = Type.String({ pattern: '^[a-z][a-z0-9_]{1,39}$' })

const NewMember = Type.Object(
  {
    email: EmailSchema,
    name: PersonNameSchema,
    roles: Type.Array(RoleNameSchema, { minItems: 1, maxItems: 20, uniqueItems: true }),
  },
  { additionalProperties: false },
)

/**
 * Adds a member to an existing tenant (CLI `tessera user create`). A new address gets a new
 * account with `password`; an existing account just joins and keeps its own password.
 */
export async function addUserToTenant(
  db: Db,
  input: { tenantId: string; email: string; name: string; password?: string; roles: string[] },
) {
  parse(NewMember, { email: input.email, name: input.name, roles: input.roles })
  return withSystem(db, async (trx) => {
    const existing = await trx
      .selectFrom('users')
      .select(['id', 'email', 'name', 'locale', 'timezone', 'created_at'])
      .where('email_normalized', '=', normalizeEmail(input.email))
      .executeTakeFirst()
    if (!existing && input.password !== undefined) {
      assertPasswordAcceptable(input.password, { email: input.email, name: input.name })
    }
    const user = existing ?? (await insertUser(trx, input))
    await enterTenant(trx, input.tenantId)
    await permissionsOfRoleKeys(trx, input.roles)
    const membership = await insertMembership(trx, input.tenantId, user.id, input.roles)
    return { user, membership, created: !existing }
  })
}
