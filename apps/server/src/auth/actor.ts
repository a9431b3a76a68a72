import {
  type Actor,
  administers,
  assertCan,
  assertMfaEnrolledIfRequired,
  authenticateAccessToken,
  authenticateApiKey,
  authenticateCookie,
  type IdentityContext,
  looksLikeApiKey,
  Unauthorized,
} from '@tessera/kernel'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { clearSessionCookie, readSessionCookie } from './cookie.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** set by `authenticated` routes; null elsewhere */
    actor: Actor | null
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/**
 * Resolves the request's credentials into an Actor: a bearer token (access token or API key) or
 * the web app's session cookie. A cookie alone never authorises an unsafe method: the CSRF header
 * must carry the session's CSRF token, which a cross-site form cannot read or send.
 */
export async function resolveActor(
  identity: IdentityContext,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<Actor> {
  const header = request.headers.authorization
  if (header !== undefined) {
    const match = /^Bearer ([^\s]+)$/i.exec(header)
    if (!match?.[1])
      throw new Unauthorized('The Authorization header must be "Bearer <token>".', 'invalid_token')
    if (looksLikeApiKey(match[1])) {
      const meta = {
        ip: request.ip ?? null,
        userAgent: request.headers['user-agent'] ?? null,
        requestId: request.id,
      }
      return authenticateApiKey(identity, match[1], meta)
    }
    return authenticateAccessToken(identity, match[1])
  }
  const cookie = readSessionCookie(request)
  if (cookie === undefined) throw new Unauthorized()
  let actor: Actor
  try {
    actor = await authenticateCookie(identity, cookie)
  } catch (err) {
    clearSessionCookie(request, reply)
    throw err
  }
  if (UNSAFE.has(request.method)) {
    const sent = request.headers['x-csrf-token']
    if (typeof sent !== 'string' || sent !== identity.csrfToken(actor.sessionId as string)) {
      throw new Unauthorized('The X-CSRF-Token header is missing or wrong.', 'csrf_token_invalid')
    }
  }
  return actor
}

/**
 * A preHandler for routes that need a signed-in member. While the tenant's MFA policy requires a
 * second factor the member has not enrolled, only routes marked `duringMfaEnrollment` answer; the
 * rest refuse with 403 mfa_enrollment_required.
 */
export function authenticated(identity: IdentityContext, options: { duringMfaEnrollment?: boolean } = {}) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const actor = await resolveActor(identity, request, reply)
    if (!options.duringMfaEnrollment) await assertMfaEnrolledIfRequired(identity, actor, administers(actor))
    request.actor = actor
  }
}

/**
 * An onRequest hook for routes that need one permission: signs the member in and refuses (403
 * naming the permission) before the body is even read, so a member without the right learns
 * nothing from validation errors either.
 */
export function requires(identity: IdentityContext, permission: string) {
  const signIn = authenticated(identity)
  return async (request: FastifyRequest, reply: FastifyReply) => {
    await signIn(request, reply)
    assertCan(actorOf(request), permission)
  }
}

/** The actor of an `authenticated` route. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new Unauthorized()
  return request.actor
}
