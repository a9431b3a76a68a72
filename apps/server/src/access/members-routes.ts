import {
  getMember,
  InvitationInput,
  invitationMessage,
  inviteMember,
  listMembers,
  MemberPatchInput,
  myMembership,
  SwitchCompanyInput,
  switchCompany,
  updateMember,
  withTenant,
} from '@tessera/kernel'
import type { FastifyInstance } from 'fastify'
import { actorOf, authenticated, requires } from '../auth/actor.ts'
import { metaOf } from '../auth/auth-routes.ts'
import type { Recovery } from '../auth/recovery-routes.ts'
import { expectedVersion, withVersionTag } from './if-match.ts'
import {
  CompanySchema,
  IdParams,
  listOf,
  MemberSchema,
  MyMembershipSchema,
  problems,
  writeProblems,
} from './schemas.ts'

const tags = ['members']

export interface MembersRoutesOptions extends Recovery {
  /** invitations send mail: limited like the other routes that do */
  rateLimit: { max: number; timeWindow: number }
}

/**
 * The tenant's members and their access: /api/v1/members. Disabling, enabling and other actions
 * on a member's login are under /api/v1/users/{user_id}/actions.
 */
export async function membersRoutes(
  app: FastifyInstance,
  { identity, outbox, publicUrl, rateLimit }: MembersRoutesOptions,
) {
  const db = identity.db
  const signedIn = authenticated(identity)

  app.get(
    '/me',
    {
      onRequest: signedIn,
      schema: {
        tags,
        summary: 'My membership: roles, the permissions of this request, my companies and the current one',
        response: { 200: MyMembershipSchema, ...problems },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request)
      return withVersionTag(reply, await withTenant(db, actor.tenantId, (trx) => myMembership(trx, actor)))
    },
  )

  app.put(
    '/me/current-company',
    {
      onRequest: signedIn,
      schema: {
        tags,
        summary: 'Switch my current company (the default for new records) to one I am allowed in',
        body: SwitchCompanyInput,
        response: { 200: CompanySchema, ...writeProblems },
      },
    },
    async (request) => {
      const actor = actorOf(request)
      return withTenant(db, actor.tenantId, (trx) => switchCompany(trx, actor, request.body))
    },
  )

  app.get(
    '/',
    {
      onRequest: requires(identity, 'kernel.member:read'),
      schema: {
        tags,
        summary: 'The members of the tenant, by name (kernel.member:read)',
        response: { 200: listOf(MemberSchema), ...problems },
      },
    },
    async (request) => ({ data: await withTenant(db, actorOf(request).tenantId, listMembers) }),
  )

  app.post(
    '/',
    {
      onRequest: requires(identity, 'kernel.member:update'),
      config: { rateLimit },
      schema: {
        tags,
        summary:
          'Invite a person by email with roles and companies I may grant; a new address gets an account and a link to choose its password (kernel.member:update)',
        description:
          'An existing account joins the tenant and keeps its password (409 `already_member` when it is a member already). The roles may grant only permissions I hold and open no rows or fields that my own record and field rules close (403); companies must be ones I am allowed in (404 naming `company_ids[i]`); without `company_ids` the invitee gets mine.',
        body: InvitationInput,
        response: { 201: MemberSchema, ...writeProblems },
      },
    },
    async (request, reply) => {
      const { member, mail } = await inviteMember(db, actorOf(request), request.body, metaOf(request))
      // after the commit: a relay that is down must not undo the invitation (the link can be asked again)
      outbox.send(invitationMessage(mail, publicUrl), 'invitation')
      return reply.code(201).send(withVersionTag(reply, member))
    },
  )

  app.get(
    '/:id',
    {
      onRequest: requires(identity, 'kernel.member:read'),
      schema: {
        tags,
        summary: 'One member; its ETag is its version (kernel.member:read)',
        params: IdParams,
        response: { 200: MemberSchema, ...problems },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string }
      return withVersionTag(
        reply,
        await withTenant(db, actorOf(request).tenantId, (trx) => getMember(trx, id)),
      )
    },
  )

  app.patch(
    '/:id',
    {
      onRequest: requires(identity, 'kernel.member:update'),
      schema: {
        tags,
        summary:
          'Change a member’s roles and allowed companies; If-Match: their version. Only rights and companies I hold can be granted (kernel.member:update)',
        params: IdParams,
        body: MemberPatchInput,
        response: { 200: MemberSchema, ...writeProblems },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request)
      const version = expectedVersion(request)
      const { id } = request.params as { id: string }
      const member = await withTenant(db, actor.tenantId, (trx) =>
        updateMember(trx, actor, id, version, request.body, metaOf(request)),
      )
      return withVersionTag(reply, member)
    },
  )
}
