import { type Static, Type } from '@sinclair/typebox'
import { type Selectable, sql } from 'kysely'
import type { Tx } from '../../db/schema.ts'
import { withTenant } from '../../db/tenant.ts'
import { Invalid, NotFound } from '../../errors/errors.ts'
import { newId } from '../../ids.ts'
import { parse } from '../../schemas/validate.ts'
import { openSecret, sealSecret } from '../../secrets/seal.ts'
import type { IdentityContext } from '../context.ts'
import type { SsoProvidersTable } from '../tables.ts'
import type { SsoContext } from './context.ts'
import { discoverProvider, refusalIn } from './oidc-client.ts'

const DOMAIN = '^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$'
const ROLE_PATTERN = '^[a-z][a-z0-9_]{0,62}$'

export const SsoProviderInput = Type.Object(
  {
    issuer: Type.String({ minLength: 1, maxLength: 2048, pattern: '^https?://\\S+$' }),
    client_id: Type.String({ minLength: 1, maxLength: 512, pattern: '^\\S+$' }),
    client_secret: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 1024,
        description: 'required the first time; omitted, the stored secret is kept',
      }),
    ),
    allowed_domains: Type.Array(Type.String({ pattern: DOMAIN, maxLength: 253 }), {
      minItems: 1,
      maxItems: 50,
      uniqueItems: true,
      description: 'lowercase email domains whose verified addresses may sign in, e.g. example.com',
    }),
    default_role: Type.Optional(
      Type.String({ pattern: ROLE_PATTERN, description: 'role of a member created at first sign-in' }),
    ),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
)
export type SsoProviderInput = Static<typeof SsoProviderInput>

/** The provider as administrators see it: everything but the secret. */
export interface SsoProviderView {
  id: string
  issuer: string
  client_id: string
  client_secret_set: true
  allowed_domains: string[]
  default_role: string
  enabled: boolean
  redirect_uri: string
  created_at: Date
  updated_at: Date
}

/** The secret is bound to its tenant: a sealed value copied into another tenant's row fails to open. */
const secretContext = (tenantId: string) => `sso:${tenantId}`

export function sealClientSecret(ctx: IdentityContext, tenantId: string, secret: string): string {
  return sealSecret(ctx.sealingKey, secret, secretContext(tenantId))
}

export function openClientSecret(ctx: IdentityContext, tenantId: string, sealed: string): string {
  return openSecret(ctx.sealingKey, sealed, secretContext(tenantId))
}

const COLUMNS = [
  'id',
  'issuer',
  'client_id',
  'client_secret',
  'allowed_domains',
  'default_role',
  'enabled',
  'created_at',
  'updated_at',
] as const
export type SsoProviderRow = Omit<Selectable<SsoProvidersTable>, 'tenant_id'>

/** The tenant's provider row (secret still sealed), if any. Runs inside the tenant. */
export function findProviderIn(trx: Tx): Promise<SsoProviderRow | undefined> {
  return trx.selectFrom('sso_providers').select(COLUMNS).executeTakeFirst()
}

function view(sso: SsoContext, row: SsoProviderRow): SsoProviderView {
  return {
    id: row.id,
    issuer: row.issuer,
    client_id: row.client_id,
    client_secret_set: true,
    allowed_domains: row.allowed_domains,
    default_role: row.default_role,
    enabled: row.enabled,
    redirect_uri: sso.redirectUri,
    created_at: row.created_at,
    updated_at: row.updated_at,
  }
}

export async function getSsoProvider(ctx: IdentityContext, sso: SsoContext, tenantId: string) {
  const row = await withTenant(ctx.db, tenantId, findProviderIn)
  if (!row) throw notConfigured()
  return view(sso, row)
}

export const notConfigured = () =>
  new NotFound('Single sign-on is not set up for this tenant.', 'sso_not_configured')

/**
 * Creates or replaces the tenant's provider. The issuer is checked before anything is written:
 * its discovery document must be reachable through the outbound guard and name the same issuer,
 * so a typo or a forbidden address is a 400 on `issuer`, not a broken sign-in later.
 */
export async function saveSsoProvider(
  ctx: IdentityContext,
  sso: SsoContext,
  tenantId: string,
  input: unknown,
): Promise<{ created: boolean; provider: SsoProviderView }> {
  const data = parse(SsoProviderInput, input)
  if (data.default_role === 'owner') {
    throw Invalid.field('default_role', 'default_role cannot be owner: sign-in never makes an owner.')
  }
  const issuer = checkIssuerShape(data.issuer)
  const existing = await withTenant(ctx.db, tenantId, findProviderIn)
  if (data.client_secret === undefined && !existing) {
    throw Invalid.field(
      'client_secret',
      'client_secret is required when setting up single sign-on.',
      'required',
    )
  }
  const secret = data.client_secret ?? storedSecret(ctx, tenantId, existing as SsoProviderRow)

  // Network I/O happens outside any transaction: no connection is held while a provider answers.
  try {
    await discoverProvider(sso, { issuer, client_id: data.client_id, client_secret: secret })
  } catch (err) {
    const refused = refusalIn(err)
    if (refused) throw Invalid.field('issuer', refused.message, 'outbound_refused')
    throw Invalid.field(
      'issuer',
      'The issuer did not serve a valid OpenID Provider discovery document naming itself as issuer.',
      'discovery_failed',
    )
  }

  const values = {
    issuer,
    client_id: data.client_id,
    client_secret: sealClientSecret(ctx, tenantId, secret),
    allowed_domains: data.allowed_domains,
    default_role: data.default_role ?? 'user',
    enabled: data.enabled ?? true,
  }
  const row = await withTenant(ctx.db, tenantId, (trx) =>
    trx
      .insertInto('sso_providers')
      .values({ tenant_id: tenantId, id: newId(), ...values })
      .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ ...values, updated_at: sql<Date>`now()` }))
      .returning(COLUMNS)
      .executeTakeFirstOrThrow(),
  )
  sso.providers.forget(tenantId)
  return { created: !existing, provider: view(sso, row) }
}

function storedSecret(ctx: IdentityContext, tenantId: string, row: SsoProviderRow): string {
  try {
    return openClientSecret(ctx, tenantId, row.client_secret)
  } catch {
    // the server secret changed since it was sealed
    throw Invalid.field(
      'client_secret',
      'The stored client_secret cannot be read; send it again.',
      'required',
    )
  }
}

/** Removes the tenant's provider and its pending sign-ins. Members keep their accounts. */
export async function deleteSsoProvider(ctx: IdentityContext, sso: SsoContext, tenantId: string) {
  const deleted = await withTenant(ctx.db, tenantId, (trx) =>
    trx.deleteFrom('sso_providers').where('tenant_id', '=', tenantId).returning('id').executeTakeFirst(),
  )
  if (!deleted) throw notConfigured()
  sso.providers.forget(tenantId)
}

/** An OpenID issuer is an https URL with no query, fragment or credentials (OIDC Discovery §2). */
function checkIssuerShape(text: string): string {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw Invalid.field('issuer', 'issuer must be an absolute http(s) URL.', 'format')
  }
  if (url.search || url.hash || url.username || url.password || text.includes('#') || text.includes('?')) {
    throw Invalid.field('issuer', 'issuer must have no query, fragment or credentials.', 'format')
  }
  return text
}
