import { Type } from '@sinclair/typebox'
import {
  administers,
  completeMfaLogin,
  confirmTotpEnrollment,
  DisableMfaInput,
  disableMfa,
  getMfaPolicy,
  type IdentityContext,
  MfaLoginInput,
  MfaPolicyInput,
  mfaStatus,
  regenerateBackupCodes,
  resetMemberMfa,
  setMfaPolicy,
  startTotpEnrollment,
  TotpCodeInput,
} from '@tessera/kernel'
import type { FastifyInstance, FastifyReply } from 'fastify'
import { actorOf, authenticated, requires } from './actor.ts'
import { metaOf } from './auth-routes.ts'
import { setSessionCookie } from './cookie.ts'

export interface MfaRoutesOptions {
  identity: IdentityContext
  rateLimit: { max: number; timeWindow: number }
}

const tags = ['auth', 'mfa']
const UserParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false })

/** Seeds and backup codes are shown once: no cache along the way may keep a copy. */
const noStore = (reply: FastifyReply) => reply.header('cache-control', 'no-store')

/**
 * MFA (TOTP), registered under /api/v1: the second login step (/auth/login/mfa), the member's own
 * enrolment (/auth/mfa/...), the tenant's MFA policy (/auth/mfa/policy) and an administrator's
 * reset of a member's MFA (/users/{id}/actions/reset-mfa).
 */
export async function mfaRoutes(app: FastifyInstance, { identity, rateLimit }: MfaRoutesOptions) {
  const limited = { rateLimit }
  // Reachable while the tenant's policy holds a member back until they enrol.
  const enrolling = { preHandler: authenticated(identity, { duringMfaEnrollment: true }) }
  const signedIn = { preHandler: authenticated(identity) }

  app.post(
    '/auth/login/mfa',
    {
      config: limited,
      schema: {
        tags,
        summary: 'Second login step: the challenge token and a TOTP code or a backup code',
        body: MfaLoginInput,
      },
    },
    async (request, reply) => {
      const { cookie_token, ...result } = await completeMfaLogin(identity, request.body, metaOf(request))
      setSessionCookie(request, reply, cookie_token, result.session_expires_at)
      return result
    },
  )

  app.get(
    '/auth/mfa',
    { ...enrolling, schema: { tags, summary: 'My MFA status and whether this tenant requires it' } },
    async (request) => {
      const actor = actorOf(request)
      return mfaStatus(identity, actor, administers(actor))
    },
  )

  app.post(
    '/auth/mfa/enrollment',
    {
      ...enrolling,
      config: limited,
      schema: { tags, summary: 'Start enrolling an authenticator app: a new seed, its URI and QR code' },
    },
    async (request, reply) => {
      noStore(reply)
      return startTotpEnrollment(identity, actorOf(request))
    },
  )

  app.post(
    '/auth/mfa/enrollment/confirm',
    {
      ...enrolling,
      config: limited,
      schema: {
        tags,
        summary: 'Turn MFA on with the first code; returns 10 backup codes',
        body: TotpCodeInput,
      },
    },
    async (request, reply) => {
      const result = await confirmTotpEnrollment(identity, actorOf(request), request.body, metaOf(request))
      noStore(reply)
      return result
    },
  )

  app.post(
    '/auth/mfa/backup-codes',
    {
      ...signedIn,
      config: limited,
      schema: { tags, summary: 'Replace my backup codes (needs a current code)', body: TotpCodeInput },
    },
    async (request, reply) => {
      const result = await regenerateBackupCodes(identity, actorOf(request), request.body, metaOf(request))
      noStore(reply)
      return result
    },
  )

  app.post(
    '/auth/mfa/disable',
    {
      ...signedIn,
      config: limited,
      schema: {
        tags,
        summary: 'Turn my MFA off (needs a current code or my password)',
        body: DisableMfaInput,
      },
    },
    async (request, reply) => {
      await disableMfa(identity, actorOf(request), request.body, metaOf(request))
      return reply.code(204).send()
    },
  )

  app.get(
    '/auth/mfa/policy',
    {
      onRequest: requires(identity, 'kernel.mfa_policy:manage'),
      schema: { tags, summary: "This tenant's MFA policy (kernel.mfa_policy:manage)" },
    },
    async (request) => {
      const actor = actorOf(request)
      return { policy: await getMfaPolicy(identity, actor.tenantId) }
    },
  )

  app.put(
    '/auth/mfa/policy',
    {
      onRequest: requires(identity, 'kernel.mfa_policy:manage'),
      schema: {
        tags,
        summary: "Set this tenant's MFA policy (kernel.mfa_policy:manage)",
        body: MfaPolicyInput,
      },
    },
    async (request) => {
      const actor = actorOf(request)
      return setMfaPolicy(identity, actor.tenantId, request.body, actor.userId, metaOf(request))
    },
  )

  app.post(
    '/users/:id/actions/reset-mfa',
    {
      onRequest: requires(identity, 'kernel.member:manage'),
      schema: {
        tags: ['users'],
        summary: "Remove a member's MFA so they can enrol again (kernel.member:manage)",
        params: UserParams,
      },
    },
    async (request, reply) => {
      const actor = actorOf(request)
      const { id } = request.params as { id: string }
      await resetMemberMfa(identity, actor, id, metaOf(request))
      return reply.code(204).send()
    },
  )
}
