import { sql } from 'kysely'
import { allowedCompaniesOf, permissionsOfRoles } from '../access/actor-rights.ts'
import { isUuid, withTenant } from '../db/tenant.ts'
import { Unauthorized } from '../errors/errors.ts'
import { activeModulesOf } from '../module/active.ts'
import type { IdentityContext } from './context.ts'
import { parseScopedToken } from './opaque-token.ts'

/** Who is making a request, resolved from its credentials on every request. */
export interface Actor {
  userId: string
  tenantId: string
  /** the session, for tokens and cookies; null for API keys */
  sessionId: string | null
  apiKeyId: string | null
  /** the member's roles: the roles whose record rules and field masks apply */
  roles: string[]
  /**
   * the rights in effect: the union of the roles' permissions (may hold `*`; ask with `can`).
   * For an API key, narrowed to what both the key's roles and its owner's roles grant.
   */
  permissions: string[]
  /** the companies the member may work in */
  companyIds: string[]
  /** the member's current company, the default for new records; null when they have none */
  companyId: string | null
  via: 'token' | 'cookie' | 'api_key'
  /**
   * Read with the credentials, in the same statement, so the gates that ask on every request
   * (module activation, the MFA policy) cost no transaction of their own. Absent on an actor
   * built elsewhere (tests, jobs): the gates then ask the database.
   */
  activeModules?: readonly string[]
  /** sessions only (API keys are not held back by the MFA policy) */
  mfa?: { policy: string | null; enrolled: boolean }
}

const unauthorized = () =>
  new Unauthorized('The credentials are invalid, expired or revoked.', 'invalid_token')

/**
 * A bearer access token: the signature and expiry are checked first, then the session and the
 * membership in the database, so a revoked session, a disabled member or changed roles take
 * effect on the very next request (no cache).
 */
export async function authenticateAccessToken(ctx: IdentityContext, token: string): Promise<Actor> {
  const claims = await ctx.tokens.verify(token)
  if (!claims || !isUuid(claims.tid) || !isUuid(claims.sid)) throw unauthorized()
  return loadSessionActor(ctx, claims.tid, claims.sid, 'token', { userId: claims.sub })
}

/** The web app's HttpOnly session cookie. */
export async function authenticateCookie(ctx: IdentityContext, cookie: string): Promise<Actor> {
  const parsed = parseScopedToken(cookie)
  if (!parsed) throw unauthorized()
  return loadSessionActor(ctx, parsed.tenantId, parsed.recordId, 'cookie', { cookieHash: parsed.hash })
}

async function loadSessionActor(
  ctx: IdentityContext,
  tenantId: string,
  sessionId: string,
  via: 'token' | 'cookie',
  expect: { userId?: string; cookieHash?: string },
): Promise<Actor> {
  const row = await withTenant(ctx.db, tenantId, async (trx) => {
    const found = await trx
      .selectFrom('sessions as s')
      .innerJoin('memberships as m', (join) =>
        join.onRef('m.tenant_id', '=', 's.tenant_id').onRef('m.user_id', '=', 's.user_id'),
      )
      .innerJoin('tenants as t', 't.id', 's.tenant_id')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .select([
        's.user_id',
        's.cookie_hash',
        'm.roles',
        'm.status',
        'm.current_company_id',
        permissionsOfRoles('m.roles').as('permissions'),
        allowedCompaniesOf('m').as('company_ids'),
        't.status as tenant_status',
        activeModulesOf('t').as('active_modules'),
        sql<string | null>`t.settings->>'mfa'`.as('mfa_policy'),
        sql<boolean>`u.totp_enabled_at is not null`.as('mfa_enrolled'),
        sql<boolean>`s.revoked_at is null and s.expires_at > now()`.as('open'),
        sql<boolean>`s.last_seen_at < now() - interval '1 minute'`.as('stale'),
      ])
      .where('s.id', '=', sessionId)
      .executeTakeFirst()
    // last_seen_at is for the session list; a minute's precision keeps reads from becoming writes
    if (found?.open && found.stale) {
      await trx
        .updateTable('sessions')
        .set({ last_seen_at: sql`now()` })
        .where('id', '=', sessionId)
        .execute()
    }
    return found
  })
  if (!row?.open || row.status !== 'active' || row.tenant_status !== 'active') throw unauthorized()
  if (expect.userId !== undefined && row.user_id !== expect.userId) throw unauthorized()
  if (expect.cookieHash !== undefined && row.cookie_hash !== expect.cookieHash) throw unauthorized()
  return {
    userId: row.user_id,
    tenantId,
    sessionId,
    apiKeyId: null,
    roles: row.roles,
    permissions: row.permissions,
    companyIds: row.company_ids,
    companyId: row.current_company_id,
    via,
    activeModules: row.active_modules,
    mfa: { policy: row.mfa_policy, enrolled: row.mfa_enrolled },
  }
}
