import { Type } from '@sinclair/typebox'
import {
  assertRoleGrantable,
  deleteSsoProvider,
  finishSsoLogin,
  getSsoProvider,
  type IdentityContext,
  SLUG_PATTERN,
  type SsoContext,
  SsoProviderInput,
  saveSsoProvider,
  startSsoLogin,
  withTenant,
} from '@tessera/kernel'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { actorOf, requires } from './actor.ts'
import { metaOf } from './auth-routes.ts'
import { setSessionCookie } from './cookie.ts'

/** Where providers send the browser back; registered at the provider as the redirect URI. */
export const SSO_CALLBACK_PATH = '/api/v1/auth/sso/callback'
const STATE_COOKIE_PATH = '/api/v1/auth/sso'

export interface SsoRoutesOptions {
  identity: IdentityContext
  sso: SsoContext
  rateLimit: { max: number; timeWindow: number }
}

const tags = ['auth']
const SlugParams = Type.Object(
  { tenantSlug: Type.String({ pattern: SLUG_PATTERN, maxLength: 63 }) },
  { additionalProperties: false },
)

/**
 * The state travels twice: in the provider's redirect and in this HttpOnly cookie, scoped to the
 * SSO routes. A callback whose state is not the browser's own is refused, so nobody can finish a
 * sign-in they started on someone else's browser (login CSRF).
 */
function stateCookieName(request: FastifyRequest): string {
  return request.protocol === 'https' ? '__Secure-tessera_sso_state' : 'tessera_sso_state'
}

function stateCookieOptions(request: FastifyRequest) {
  return {
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: request.protocol === 'https',
    path: STATE_COOKIE_PATH,
  }
}

/** The query string exactly as received, for openid-client to read code, state and iss from. */
function rawQuery(request: FastifyRequest): string {
  const url = request.raw.url ?? ''
  const at = url.indexOf('?')
  return at < 0 ? '' : url.slice(at + 1)
}

/** OIDC single sign-on: the tenant's provider settings, and the browser flow. /api/v1/auth/sso */
export async function ssoRoutes(
  app: FastifyInstance,
  { identity, sso, rateLimit }: SsoRoutesOptions,
): Promise<void> {
  const admin = { onRequest: requires(identity, 'kernel.sso:manage') }

  app.get(
    '/sso',
    { ...admin, schema: { tags, summary: "The tenant's single sign-on provider (without its secret)" } },
    async (request) => getSsoProvider(identity, sso, actorOf(request).tenantId),
  )

  app.put(
    '/sso',
    {
      ...admin,
      schema: {
        tags,
        summary: "Set the tenant's OpenID Connect provider; its discovery is checked before saving",
        body: SsoProviderInput,
      },
    },
    async (request, reply) => {
      const actor = actorOf(request)
      // new members get the default role: it may grant only what the one choosing it holds
      const { default_role } = request.body as { default_role?: string }
      if (default_role !== undefined && default_role !== 'owner')
        await withTenant(identity.db, actor.tenantId, (trx) =>
          assertRoleGrantable(trx, actor, default_role, 'default_role'),
        )
      const { created, provider } = await saveSsoProvider(identity, sso, actor.tenantId, request.body)
      return reply.code(created ? 201 : 200).send(provider)
    },
  )

  app.delete(
    '/sso',
    { ...admin, schema: { tags, summary: "Remove the tenant's single sign-on provider" } },
    async (request, reply) => {
      await deleteSsoProvider(identity, sso, actorOf(request).tenantId)
      return reply.code(204).send()
    },
  )

  app.get(
    '/sso/:tenantSlug/start',
    {
      config: { rateLimit },
      schema: {
        tags,
        summary: "Sign in through the tenant's provider: redirects there (code flow, PKCE, state, nonce)",
        params: SlugParams,
      },
    },
    async (request, reply: FastifyReply) => {
      const { tenantSlug } = request.params as { tenantSlug: string }
      const start = await startSsoLogin(identity, sso, tenantSlug)
      reply.setCookie(stateCookieName(request), start.state, {
        ...stateCookieOptions(request),
        maxAge: start.expires_in,
      })
      return reply.redirect(start.authorization_url, 302)
    },
  )

  app.get(
    '/sso/callback',
    {
      config: { rateLimit },
      schema: { tags, summary: 'Where the provider sends the browser back; opens the session and goes home' },
    },
    async (request, reply) => {
      const cookieState = request.cookies[stateCookieName(request)]
      // single use whatever happens next
      reply.clearCookie(stateCookieName(request), stateCookieOptions(request))
      const result = await finishSsoLogin(
        identity,
        sso,
        { query: rawQuery(request), cookieState },
        metaOf(request),
      )
      setSessionCookie(request, reply, result.cookie_token, result.session_expires_at)
      return reply.redirect('/', 302)
    },
  )
}
