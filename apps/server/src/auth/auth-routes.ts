import { Type } from '@sinclair/typebox'
import {
  checkPassword,
  Forbidden,
  type IdentityContext,
  LoginInput,
  listSessionsIn,
  login,
  NotFound,
  type RequestMeta,
  recordSecurityEvent,
  refreshSession,
  revokeSessionIn,
  revokeUserSessionsIn,
  SignupInput,
  signup,
  tenantsOf,
  withTenant,
} from '@tessera/kernel'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { actorOf, authenticated } from './actor.ts'
import { clearSessionCookie, setSessionCookie } from './cookie.ts'

export interface AuthRoutesOptions {
  identity: IdentityContext
  rateLimit: { max: number; timeWindow: number }
  /** runs once a sign-up has committed (the verification mail); must not throw */
  afterSignup?: (user: { id: string }, request: FastifyRequest) => Promise<void>
}

/** Session management needs a session: an API key (an integration) may not end its owner's sessions. */
function sessionActor(request: FastifyRequest) {
  const actor = actorOf(request)
  if (actor.via === 'api_key') throw new Forbidden('API keys cannot manage sessions.', 'api_key_not_allowed')
  return actor
}

export function metaOf(request: FastifyRequest): RequestMeta {
  const agent = request.headers['user-agent']
  return {
    ip: request.ip ?? null,
    userAgent: typeof agent === 'string' ? agent : null,
    requestId: request.id,
  }
}

const tags = ['auth']
const SessionIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false })

/** Sign-up, login, token refresh, logout and the member's own sessions: /api/v1/auth. */
export async function authRoutes(
  app: FastifyInstance,
  { identity, rateLimit, afterSignup }: AuthRoutesOptions,
): Promise<void> {
  const limited = { rateLimit }
  // These routes manage the session itself, so they stay open while MFA enrolment is pending.
  const signedIn = { preHandler: authenticated(identity, { duringMfaEnrollment: true }) }

  app.post(
    '/signup',
    {
      config: limited,
      schema: {
        tags,
        security: [],
        summary: 'Create a tenant, its first company and its owner',
        body: SignupInput,
      },
    },
    async (request, reply) => {
      const { cookie_token, ...result } = await signup(identity, request.body, metaOf(request))
      setSessionCookie(request, reply, cookie_token, result.session_expires_at)
      await afterSignup?.(result.user, request)
      return reply.code(201).send(result)
    },
  )

  app.post(
    '/login',
    {
      config: limited,
      schema: { tags, security: [], summary: 'Sign in with email and password', body: LoginInput },
    },
    async (request, reply) => {
      const result = await login(identity, request.body, metaOf(request))
      if (result.status !== 'ok') return result
      const { cookie_token, ...rest } = result
      setSessionCookie(request, reply, cookie_token, rest.session_expires_at)
      return rest
    },
  )

  app.post(
    '/refresh',
    {
      config: limited,
      schema: {
        tags,
        security: [],
        summary: 'Exchange a refresh token (single use) for new tokens',
        body: Type.Object(
          { refresh_token: Type.String({ maxLength: 200 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) =>
      refreshSession(identity, (request.body as { refresh_token: string }).refresh_token, metaOf(request)),
  )

  app.post(
    '/password-check',
    {
      config: limited,
      schema: {
        tags,
        security: [],
        summary: 'Check a candidate password against the policy and estimate its strength',
        body: Type.Object(
          {
            password: Type.String({ maxLength: 1024 }),
            email: Type.Optional(Type.String({ maxLength: 254 })),
            name: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const body = request.body as { password: string; email?: string; name?: string }
      return checkPassword(body.password, {
        email: body.email ?? '',
        ...(body.name ? { name: body.name } : {}),
      })
    },
  )

  app.post(
    '/logout',
    { ...signedIn, schema: { tags, summary: 'End the current session' } },
    async (request, reply) => {
      const actor = sessionActor(request)
      if (actor.sessionId) {
        await withTenant(identity.db, actor.tenantId, async (trx) => {
          await revokeSessionIn(trx, actor.tenantId, actor.sessionId as string, 'logout')
          await recordSecurityEvent(trx, actor.tenantId, 'session.revoked', metaOf(request), {
            userId: actor.userId,
            details: { session_id: actor.sessionId, reason: 'logout' },
          })
        })
      }
      clearSessionCookie(request, reply)
      return reply.code(204).send()
    },
  )

  app.get('/me', { ...signedIn, schema: { tags, summary: 'The signed-in member' } }, async (request) => {
    const actor = actorOf(request)
    return withTenant(identity.db, actor.tenantId, async (trx) => {
      const user = await trx
        .selectFrom('users')
        .select(['id', 'email', 'name', 'locale', 'timezone', 'email_verified_at', 'totp_enabled_at'])
        .where('id', '=', actor.userId)
        .executeTakeFirstOrThrow()
      const tenant = await trx.selectFrom('tenants').select(['id', 'slug', 'name']).executeTakeFirstOrThrow()
      return {
        user: {
          id: user.id,
          email: user.email,
          name: user.name,
          locale: user.locale,
          timezone: user.timezone,
          email_verified: user.email_verified_at !== null,
          mfa_enabled: user.totp_enabled_at !== null,
        },
        tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name },
        roles: actor.roles,
        session_id: actor.sessionId,
        authenticated_by: actor.via,
        ...(actor.sessionId ? { csrf_token: identity.csrfToken(actor.sessionId) } : {}),
      }
    })
  })

  app.get(
    '/sessions',
    { ...signedIn, schema: { tags, summary: 'My open sessions in this tenant' } },
    async (request) => {
      const actor = sessionActor(request)
      const sessions = await withTenant(identity.db, actor.tenantId, (trx) =>
        listSessionsIn(trx, actor.userId),
      )
      return { data: sessions.map((s) => ({ ...s, current: s.id === actor.sessionId })) }
    },
  )

  app.delete(
    '/sessions/:id',
    { ...signedIn, schema: { tags, summary: 'Revoke one of my sessions', params: SessionIdParams } },
    async (request, reply) => {
      const actor = sessionActor(request)
      const { id } = request.params as { id: string }
      const revoked = await withTenant(identity.db, actor.tenantId, async (trx) => {
        const mine = await trx
          .selectFrom('sessions')
          .select('id')
          .where('id', '=', id)
          .where('user_id', '=', actor.userId)
          .executeTakeFirst()
        if (!mine) return false
        if (await revokeSessionIn(trx, actor.tenantId, id, 'revoked_by_user')) {
          await recordSecurityEvent(trx, actor.tenantId, 'session.revoked', metaOf(request), {
            userId: actor.userId,
            details: { session_id: id, reason: 'revoked_by_user' },
          })
        }
        return true
      })
      if (!revoked) throw new NotFound('No such session.')
      if (id === actor.sessionId) clearSessionCookie(request, reply)
      return reply.code(204).send()
    },
  )

  app.post(
    '/sessions/revoke-all',
    {
      ...signedIn,
      schema: {
        tags,
        summary: 'Log out everywhere: revoke my sessions in every tenant',
        querystring: Type.Object(
          { keep_current: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])) },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const actor = sessionActor(request)
      const keepCurrent = (request.query as { keep_current?: string }).keep_current === 'true'
      let revoked = 0
      for (const tenant of await tenantsOf(identity, actor.userId)) {
        revoked += await withTenant(identity.db, tenant.id, async (trx) => {
          const except =
            keepCurrent && tenant.id === actor.tenantId ? (actor.sessionId ?? undefined) : undefined
          const n = await revokeUserSessionsIn(trx, actor.userId, 'logout_everywhere', except)
          if (n > 0) {
            await recordSecurityEvent(trx, tenant.id, 'session.revoked', metaOf(request), {
              userId: actor.userId,
              details: { reason: 'logout_everywhere', count: n },
            })
          }
          return n
        })
      }
      if (!keepCurrent) clearSessionCookie(request, reply)
      return reply.send({ revoked })
    },
  )
}
