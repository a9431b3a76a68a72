import {
  changePassword,
  confirmPasswordReset,
  EmailVerificationInput,
  emailVerificationMessage,
  type IdentityContext,
  issueEmailVerification,
  PasswordChangeInput,
  PasswordResetConfirmInput,
  PasswordResetRequestInput,
  passwordResetMessage,
  requestPasswordReset,
  USER_TOKEN_MINUTES,
  verifyEmail,
} from '@tessera/kernel'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Outbox } from '../mail.ts'
import { actorOf, authenticated } from './actor.ts'
import { metaOf } from './auth-routes.ts'

export interface Recovery {
  identity: IdentityContext
  outbox: Outbox
  /** TESSERA_PUBLIC_URL: the base of links in mail */
  publicUrl: string
}

export interface RecoveryRoutesOptions extends Recovery {
  rateLimit: { max: number; timeWindow: number }
}

const tags = ['auth']

/** The one answer to a reset request, whether or not the address has an account. */
const RESET_REQUESTED = {
  status: 'accepted',
  message: `If an account uses this address, a link to reset its password is on its way. The link works once, for ${USER_TOKEN_MINUTES} minutes.`,
} as const

/**
 * Issues a verification link and mails it. For the sign-up route, after its transaction has
 * committed: a failure here is logged and the member can ask again; it never undoes the sign-up.
 */
export function verifyAfterSignup({ identity, outbox, publicUrl }: Recovery) {
  return async (user: { id: string }, request: FastifyRequest): Promise<void> => {
    try {
      const mail = await issueEmailVerification(identity, user.id)
      if (mail) outbox.send(emailVerificationMessage(mail, publicUrl), 'email_verification')
    } catch (err) {
      request.log.error({ err }, 'could not issue the email verification after sign-up')
    }
  }
}

/** Password reset, email verification and password change: /api/v1/auth. */
export async function recoveryRoutes(
  app: FastifyInstance,
  { identity, outbox, publicUrl, rateLimit }: RecoveryRoutesOptions,
): Promise<void> {
  const limited = { rateLimit }
  const signedIn = { preHandler: authenticated(identity) }

  app.post(
    '/password-reset',
    {
      config: limited,
      schema: {
        tags,
        security: [],
        summary: 'Mail a password-reset link; the same 202 whether or not the address has an account',
        body: PasswordResetRequestInput,
      },
    },
    async (request, reply) => {
      const mail = await requestPasswordReset(identity, request.body)
      if (mail) outbox.send(passwordResetMessage(mail, publicUrl), 'password_reset')
      return reply.code(202).send(RESET_REQUESTED)
    },
  )

  app.post(
    '/password-reset/confirm',
    {
      config: limited,
      schema: {
        tags,
        security: [],
        summary: 'Set a new password with a reset token; ends every session, signs nobody in',
        description:
          'A token that is unknown, malformed, expired or already used answers 400 with code `token_invalid`.',
        body: PasswordResetConfirmInput,
      },
    },
    async (request) => {
      const { sessions_revoked } = await confirmPasswordReset(identity, request.body, metaOf(request))
      return {
        status: 'password_reset',
        sessions_revoked,
        message: 'Your password has been reset and every session ended. Sign in with the new password.',
      }
    },
  )

  app.post(
    '/verify-email',
    {
      config: limited,
      schema: {
        tags,
        security: [],
        summary: 'Confirm an email address with the token from the verification mail',
        description:
          'A token that is unknown, malformed, expired or already used answers 400 with code `token_invalid`.',
        body: EmailVerificationInput,
      },
    },
    async (request) => {
      await verifyEmail(identity, request.body)
      return { status: 'email_verified' }
    },
  )

  app.post(
    '/verify-email/resend',
    {
      ...signedIn,
      config: limited,
      schema: {
        tags,
        summary: 'Mail me a new verification link (422 email_already_verified when there is no need)',
      },
    },
    async (request, reply) => {
      const mail = await issueEmailVerification(identity, actorOf(request).userId)
      if (mail) outbox.send(emailVerificationMessage(mail, publicUrl), 'email_verification')
      return reply.code(202).send({ status: 'accepted' })
    },
  )

  app.post(
    '/password',
    {
      ...signedIn,
      config: limited,
      schema: {
        tags,
        summary: 'Change my password; my other sessions end, in every tenant',
        body: PasswordChangeInput,
      },
    },
    async (request) => {
      const result = await changePassword(identity, actorOf(request), request.body, metaOf(request))
      return { status: 'password_changed', ...result }
    },
  )
}
