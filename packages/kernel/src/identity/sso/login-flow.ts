import { sql } from 'kysely'
import * as oidc from 'openid-client'
import { withTenant } from '../../db/tenant.ts'
import { BusinessRule, Forbidden, Invalid, type TesseraError, Unauthorized } from '../../errors/errors.ts'
import { newId } from '../../ids.ts'
import { openSecret, sealSecret } from '../../secrets/seal.ts'
import { findTenantBySlug } from '../../tenancy/tenants.ts'
import type { IdentityContext } from '../context.ts'
import { parseScopedToken, sameSecret, scopedToken } from '../opaque-token.ts'
import { type RequestMeta, recordSecurityEvent } from '../security-events.ts'
import type { IssuedSession } from '../sessions.ts'
import type { SsoContext } from './context.ts'
import { signInMember } from './jit-member.ts'
import { refusalIn } from './oidc-client.ts'
import { findProviderIn, notConfigured, openClientSecret, type SsoProviderRow } from './provider-config.ts'
import { ssoTx } from './tables.ts'

/** A sign-in must come back from the provider within 10 minutes. */
export const SSO_ATTEMPT_MINUTES = 10
const SCOPE = 'openid email profile'

/** The verifier is sealed for its row, like every secret at rest. */
const verifierContext = (tenantId: string, attemptId: string) => `sso-attempt:${tenantId}:${attemptId}`

export interface SsoStart {
  /** where to send the browser: the provider's authorization endpoint */
  authorization_url: string
  /** also set as an HttpOnly cookie, so the callback proves it comes back to the browser that left */
  state: string
  expires_in: number
}

/**
 * Sends a member of the tenant `slug` to its provider: authorization code flow with PKCE (S256),
 * a fresh state and nonce, kept server-side (the PKCE verifier sealed) until the callback uses them.
 */
export async function startSsoLogin(ctx: IdentityContext, sso: SsoContext, slug: string): Promise<SsoStart> {
  const tenant = await findTenantBySlug(ctx.db, slug)
  if (tenant?.status !== 'active') throw notConfigured()
  const provider = await withTenant(ctx.db, tenant.id, findProviderIn)
  if (!provider?.enabled) throw notConfigured()
  const config = await providerConfiguration(ctx, sso, tenant.id, provider)

  const attemptId = newId()
  const state = scopedToken(tenant.id, attemptId)
  const nonce = oidc.randomNonce()
  const verifier = oidc.randomPKCECodeVerifier()
  await withTenant(ctx.db, tenant.id, async (trx) => {
    const db = ssoTx(trx)
    await db.deleteFrom('sso_login_attempts').where('expires_at', '<=', sql<Date>`now()`).execute()
    await db
      .insertInto('sso_login_attempts')
      .values({
        tenant_id: tenant.id,
        id: attemptId,
        provider_id: provider.id,
        state_hash: state.hash,
        nonce,
        code_verifier: sealSecret(ctx.sealingKey, verifier, verifierContext(tenant.id, attemptId)),
        expires_at: sql<Date>`now() + make_interval(mins => ${SSO_ATTEMPT_MINUTES})`,
      })
      .execute()
  })
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: sso.redirectUri,
    response_type: 'code',
    scope: SCOPE,
    state: state.token,
    nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  })
  return { authorization_url: url.href, state: state.token, expires_in: SSO_ATTEMPT_MINUTES * 60 }
}

export interface SsoCallback {
  /** the callback's query string as received, without the leading `?` */
  query: string
  /** the state cookie set by the start, if the browser sent it back */
  cookieState: string | undefined
}

export interface SsoLoginResult extends IssuedSession {
  status: 'ok'
  user: { id: string; email: string; name: string }
  tenant: { id: string; slug: string; name: string }
  /** what this sign-in created just in time */
  created: { user: boolean; membership: boolean }
}

const invalidState = () =>
  new Invalid(
    'This sign-in is unknown, expired or already used; start the sign-in again.',
    [],
    'sso_state_invalid',
  )

/**
 * The provider's redirect back. In order: the state must match the browser's cookie and a pending
 * attempt, which is deleted at once (a replay finds nothing); the code is exchanged with the PKCE
 * verifier over the guarded connection; the ID token's issuer, audience, expiry and nonce are
 * checked by openid-client; the email must be verified and in an allowed domain. Only then is
 * anything created.
 */
export async function finishSsoLogin(
  ctx: IdentityContext,
  sso: SsoContext,
  callback: SsoCallback,
  meta: RequestMeta,
): Promise<SsoLoginResult> {
  const params = new URLSearchParams(callback.query)
  const state = params.get('state') ?? ''
  const parsed = parseScopedToken(state)
  if (!parsed || callback.cookieState === undefined || !sameSecret(callback.cookieState, state)) {
    throw invalidState()
  }
  const tenantId = parsed.tenantId
  const attempt = await withTenant(ctx.db, tenantId, async (trx) => {
    const used = await ssoTx(trx)
      .deleteFrom('sso_login_attempts')
      .where('state_hash', '=', parsed.hash)
      .returning([
        'id',
        'provider_id',
        'nonce',
        'code_verifier',
        sql<boolean>`expires_at > now()`.as('fresh'),
      ])
      .executeTakeFirst()
    if (!used?.fresh) return undefined
    const provider = await findProviderIn(trx)
    const tenant = await trx.selectFrom('tenants').select(['id', 'slug', 'name', 'status']).executeTakeFirst()
    return { ...used, provider, tenant }
  })
  if (!attempt) throw invalidState()
  const { provider, tenant } = attempt
  if (!provider?.enabled || provider.id !== attempt.provider_id || tenant?.status !== 'active') {
    throw notConfigured()
  }

  const refuse = async (error: TesseraError, reason: string, userId: string | null = null) => {
    await withTenant(ctx.db, tenantId, (trx) =>
      recordSecurityEvent(trx, tenantId, 'login.failed', meta, {
        userId,
        details: { method: 'sso', reason },
      }),
    )
    return error
  }

  const config = await providerConfiguration(ctx, sso, tenantId, provider)
  const currentUrl = new URL(sso.redirectUri)
  currentUrl.search = params.toString()
  let claims: Record<string, unknown>
  try {
    claims = await identityClaims(config, currentUrl, {
      pkceCodeVerifier: openSecret(
        ctx.sealingKey,
        attempt.code_verifier,
        verifierContext(tenantId, attempt.id),
      ),
      expectedState: state,
      expectedNonce: attempt.nonce,
      idTokenExpected: true,
    })
  } catch (err) {
    if (refusalIn(err) || isNetworkError(err)) throw unavailable()
    if (
      !(err instanceof oidc.ClientError) &&
      !(err instanceof oidc.ResponseBodyError) &&
      !(err instanceof oidc.AuthorizationResponseError)
    ) {
      throw err
    }
    throw await refuse(
      new Unauthorized('The identity provider did not confirm this sign-in.', 'sso_failed'),
      err instanceof oidc.AuthorizationResponseError ? 'provider_error' : 'token_rejected',
    )
  }

  const email = typeof claims.email === 'string' ? claims.email.trim() : ''
  if (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 254) {
    throw await refuse(
      new Forbidden('The identity provider gave no usable email address.', 'sso_email_missing'),
      'no_email',
    )
  }
  if (claims.email_verified !== true) {
    throw await refuse(
      new Forbidden('The identity provider has not verified this email address.', 'sso_email_unverified'),
      'email_unverified',
    )
  }
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase()
  if (!provider.allowed_domains.includes(domain)) {
    throw await refuse(
      new Forbidden('This email domain may not sign in to this tenant.', 'sso_domain_not_allowed'),
      'domain_not_allowed',
    )
  }

  const outcome = await signInMember(ctx, {
    tenantId,
    providerId: provider.id,
    defaultRole: provider.default_role,
    email,
    name: typeof claims.name === 'string' ? claims.name : '',
    meta,
  })
  if (outcome.status === 'disabled') {
    throw await refuse(
      new Forbidden(
        'Your membership of this tenant is disabled; ask its administrator.',
        'membership_disabled',
      ),
      'disabled',
      outcome.userId,
    )
  }
  if (outcome.status === 'account_exists') {
    throw await refuse(
      new Forbidden(
        'An account with this email already exists outside this tenant; an administrator must add it to the tenant first.',
        'sso_account_exists',
      ),
      'account_exists',
      outcome.userId,
    )
  }
  const t = tenant as NonNullable<typeof tenant>
  return {
    status: 'ok',
    user: outcome.user,
    tenant: { id: t.id, slug: t.slug, name: t.name },
    created: outcome.created,
    ...outcome.session,
  }
}

/** Exchanges the code and returns who signed in: the ID token's claims, completed from userinfo. */
async function identityClaims(
  config: oidc.Configuration,
  currentUrl: URL,
  checks: oidc.AuthorizationCodeGrantChecks,
): Promise<Record<string, unknown>> {
  const tokens = await oidc.authorizationCodeGrant(config, currentUrl, checks)
  const claims: Record<string, unknown> = { ...tokens.claims() }
  if (typeof claims.email === 'string' && claims.email_verified !== undefined) return claims
  // Many providers put email only in userinfo; openid-client checks its subject is the ID token's.
  const info = await oidc.fetchUserInfo(config, tokens.access_token, String(claims.sub))
  return {
    ...info,
    ...claims,
    email: claims.email ?? info.email,
    email_verified: claims.email_verified ?? info.email_verified,
  }
}

const unavailable = () =>
  new BusinessRule(
    'sso_provider_unavailable',
    'The identity provider cannot be reached right now; try again later or ask your administrator.',
  )

/** The discovered configuration, cached per provider version; unreachable providers are a 422. */
async function providerConfiguration(
  ctx: IdentityContext,
  sso: SsoContext,
  tenantId: string,
  provider: SsoProviderRow,
): Promise<oidc.Configuration> {
  const version = `${provider.id}:${new Date(provider.updated_at).toISOString()}`
  try {
    return await sso.providers.get(sso, tenantId, version, () => ({
      issuer: provider.issuer,
      client_id: provider.client_id,
      client_secret: openClientSecret(ctx, tenantId, provider.client_secret),
    }))
  } catch {
    throw unavailable()
  }
}

function isNetworkError(err: unknown): boolean {
  for (let cause = err, depth = 0; cause && depth < 5; depth += 1) {
    const code = (cause as { code?: unknown }).code
    if (typeof code === 'string' && /^(E[A-Z]+|OAUTH_TIMEOUT|OAUTH_ABORT)$/.test(code)) return true
    cause = (cause as { cause?: unknown }).cause
  }
  return false
}
