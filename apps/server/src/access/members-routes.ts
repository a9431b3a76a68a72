import {
  getMember,
  type IdentityContext,
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

/**
 * The tenant's members and their access: /api/v1/members. Disabling, enabling and other actions
 * on a member's login are under /api/v1/users/{user_id}/actions.
 */
export async function membersRoutes(app: FastifyInstance, { identity }: { identity: IdentityContext }) {
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
