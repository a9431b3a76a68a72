import { sql } from 'kysely'
import type { Tx } from '../db/schema.ts'
import { withTenant } from '../db/tenant.ts'
import { Unauthorized } from '../errors/errors.ts'
import { newId } from '../ids.ts'
import { ACCESS_TOKEN_SECONDS } from './access-token.ts'
import type { IdentityContext } from './context.ts'
import { parseScopedToken, scopedToken } from './opaque-token.ts'
import { type RequestMeta, recordSecurityEvent } from './security-events.ts'

/** A session lasts at most 30 days from login, refreshed or not. */
export const SESSION_DAYS = 30

export interface IssuedSession {
  session_id: string
  access_token: string
  token_type: 'Bearer'
  expires_in: number
  refresh_token: string
  csrf_token: string
  /** the web app's cookie credential; set as an HttpOnly cookie, never shown to scripts */
  cookie_token: string
  session_expires_at: Date
}

/** Opens a session for a member inside the tenant transaction, with its first refresh token. */
export async function openSession(
  ctx: IdentityContext,
  trx: Tx,
  tenantId: string,
  userId: string,
  meta: RequestMeta,
  method: 'password' | 'sso',
): Promise<IssuedSession> {
  const sessionId = newId()
  const cookie = scopedToken(tenantId, sessionId)
  const session = await trx
    .insertInto('sessions')
    .values({
      tenant_id: tenantId,
      id: sessionId,
      user_id: userId,
      user_agent: meta.userAgent?.slice(0, 512) ?? null,
      ip: meta.ip?.slice(0, 64) ?? null,
      auth_method: method,
      cookie_hash: cookie.hash,
      expires_at: sql<Date>`now() + make_interval(days => ${SESSION_DAYS})`,
    })
    .returning(['expires_at'])
    .executeTakeFirstOrThrow()
  const refresh = await issueRefreshToken(trx, tenantId, sessionId)
  return {
    session_id: sessionId,
    access_token: await ctx.tokens.sign({ sub: userId, tid: tenantId, sid: sessionId }),
    token_type: 'Bearer',
    expires_in: ACCESS_TOKEN_SECONDS,
    refresh_token: refresh,
    csrf_token: ctx.csrfToken(sessionId),
    cookie_token: cookie.token,
    session_expires_at: session.expires_at,
  }
}

async function issueRefreshToken(trx: Tx, tenantId: string, sessionId: string): Promise<string> {
  const id = newId()
  const { token, hash } = scopedToken(tenantId, id)
  await trx
    .insertInto('refresh_tokens')
    .values({ tenant_id: tenantId, id, session_id: sessionId, token_hash: hash })
    .execute()
  return token
}

const invalidRefresh = () =>
  new Unauthorized('The refresh token is invalid, expired or revoked.', 'invalid_token')

/**
 * Exchanges a refresh token for a new access token and a new refresh token. Each refresh token
 * works once: presenting a used one means two parties hold it, so the whole session is revoked
 * (and stays revoked: the revocation commits before the 401 is sent).
 */
export async function refreshSession(ctx: IdentityContext, token: unknown, meta: RequestMeta) {
  const parsed = parseScopedToken(token)
  if (!parsed) throw invalidRefresh()
  const outcome = await withTenant(ctx.db, parsed.tenantId, async (trx) => {
    const row = await trx
      .selectFrom('refresh_tokens as r')
      .innerJoin('sessions as s', (join) =>
        join.onRef('s.tenant_id', '=', 'r.tenant_id').onRef('s.id', '=', 'r.session_id'),
      )
      .innerJoin('memberships as m', (join) =>
        join.onRef('m.tenant_id', '=', 's.tenant_id').onRef('m.user_id', '=', 's.user_id'),
      )
      .select([
        'r.id',
        'r.used_at',
        'r.session_id',
        's.user_id',
        's.revoked_at',
        'm.status',
        sql<boolean>`s.expires_at <= now()`.as('expired'),
      ])
      .where('r.token_hash', '=', parsed.hash)
      .forUpdate()
      .executeTakeFirst()
    if (!row) return { ok: false as const }
    if (row.used_at !== null) {
      await revokeSessionIn(trx, parsed.tenantId, row.session_id, 'refresh_token_reuse')
      await recordSecurityEvent(trx, parsed.tenantId, 'session.reuse_detected', meta, {
        userId: row.user_id,
        details: { session_id: row.session_id },
      })
      return { ok: false as const }
    }
    if (row.revoked_at !== null || row.expired || row.status !== 'active') return { ok: false as const }
    await trx.updateTable('refresh_tokens').set({ used_at: sql`now()` }).where('id', '=', row.id).execute()
    await trx
      .updateTable('sessions')
      .set({ last_seen_at: sql`now()` })
      .where('id', '=', row.session_id)
      .execute()
    const refresh_token = await issueRefreshToken(trx, parsed.tenantId, row.session_id)
    const access_token = await ctx.tokens.sign({
      sub: row.user_id,
      tid: parsed.tenantId,
      sid: row.session_id,
    })
    return {
      ok: true as const,
      tokens: {
        session_id: row.session_id,
        access_token,
        token_type: 'Bearer' as const,
        expires_in: ACCESS_TOKEN_SECONDS,
        refresh_token,
      },
    }
  })
  if (!outcome.ok) throw invalidRefresh()
  return outcome.tokens
}

/** Marks one session revoked (idempotent). Runs inside the session's tenant. */
export async function revokeSessionIn(
  trx: Tx,
  tenantId: string,
  sessionId: string,
  reason: string,
): Promise<boolean> {
  const result = await trx
    .updateTable('sessions')
    .set({ revoked_at: sql`now()`, revoked_reason: reason })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', sessionId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

/** Revokes every open session of a user in the tenant the transaction is scoped to. */
export async function revokeUserSessionsIn(
  trx: Tx,
  userId: string,
  reason: string,
  exceptSessionId?: string,
) {
  let query = trx
    .updateTable('sessions')
    .set({ revoked_at: sql`now()`, revoked_reason: reason })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
  if (exceptSessionId) query = query.where('id', '!=', exceptSessionId)
  const result = await query.executeTakeFirst()
  return Number(result.numUpdatedRows)
}

/** The user's open sessions in the current tenant, newest first. */
export function listSessionsIn(trx: Tx, userId: string) {
  return trx
    .selectFrom('sessions')
    .select(['id', 'user_agent', 'ip', 'auth_method', 'created_at', 'last_seen_at', 'expires_at'])
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .orderBy('created_at', 'desc')
    .execute()
}
