import { Type } from '@sinclair/typebox'
import {
  CUSTOM_ENTITY_PERMISSION,
  createRole,
  deleteRole,
  getRole,
  type IdentityContext,
  listRoles,
  NewRoleInput,
  type PermissionInfo,
  RolePatchInput,
  updateRole,
  withTenant,
} from '@tessera/kernel'
import type { FastifyInstance } from 'fastify'
import { actorOf, requires } from '../auth/actor.ts'
import { metaOf } from '../auth/auth-routes.ts'
import { expectedVersion, withVersionTag } from './if-match.ts'
import { IdParams, listOf, PermissionSchema, problems, RoleSchema, writeProblems } from './schemas.ts'

export interface RolesRoutesOptions {
  identity: IdentityContext
  /** the server's permission catalogue: the kernel's and the enabled modules' */
  catalogue: readonly PermissionInfo[]
}

const tags = ['roles']

/** The tenant's roles (/api/v1/roles) and the permissions they are made of (/api/v1/permissions). */
export async function rolesRoutes(app: FastifyInstance, { identity, catalogue }: RolesRoutesOptions) {
  const listed = new Set(catalogue.map((p) => p.permission))
  // custom entities are tenant data, so their rights cannot be listed up front: any of their shape
  const known = { has: (p: string) => listed.has(p) || CUSTOM_ENTITY_PERMISSION.test(p) }
  const db = identity.db

  app.get(
    '/permissions',
    {
      onRequest: requires(identity, 'kernel.role:read'),
      schema: {
        tags,
        summary: 'Every permission a role may hold on this server (kernel.role:read)',
        response: { 200: listOf(PermissionSchema), ...problems },
      },
    },
    async () => ({ data: catalogue }),
  )

  app.get(
    '/roles',
    {
      onRequest: requires(identity, 'kernel.role:read'),
      schema: {
        tags,
        summary: 'The role templates and the tenant’s own roles, by key (kernel.role:read)',
        response: { 200: listOf(RoleSchema), ...problems },
      },
    },
    async (request) => ({ data: await withTenant(db, actorOf(request).tenantId, listRoles) }),
  )

  app.get(
    '/roles/:id',
    {
      onRequest: requires(identity, 'kernel.role:read'),
      schema: {
        tags,
        summary: 'One role; its ETag is its version',
        params: IdParams,
        response: { 200: RoleSchema, ...problems },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string }
      return withVersionTag(reply, await withTenant(db, actorOf(request).tenantId, (trx) => getRole(trx, id)))
    },
  )

  app.post(
    '/roles',
    {
      onRequest: requires(identity, 'kernel.role:create'),
      schema: {
        tags,
        summary: 'Create a role; it may grant only permissions I hold (kernel.role:create)',
        body: NewRoleInput,
        response: { 201: RoleSchema, ...writeProblems },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request)
      const role = await withTenant(db, actor.tenantId, (trx) =>
        createRole(trx, actor, known, request.body, metaOf(request)),
      )
      return reply.code(201).send(withVersionTag(reply, role))
    },
  )

  app.patch(
    '/roles/:id',
    {
      onRequest: requires(identity, 'kernel.role:update'),
      schema: {
        tags,
        summary:
          'Change a role of the tenant’s own; If-Match: its version. Templates are read-only (kernel.role:update)',
        params: IdParams,
        body: RolePatchInput,
        response: { 200: RoleSchema, ...writeProblems },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request)
      const version = expectedVersion(request)
      const { id } = request.params as { id: string }
      const role = await withTenant(db, actor.tenantId, (trx) =>
        updateRole(trx, actor, known, id, version, request.body, metaOf(request)),
      )
      return withVersionTag(reply, role)
    },
  )

  app.delete(
    '/roles/:id',
    {
      onRequest: requires(identity, 'kernel.role:delete'),
      schema: {
        tags,
        summary: 'Delete a role of the tenant’s own that nobody holds (kernel.role:delete)',
        params: IdParams,
        response: { 204: Type.Null(), ...writeProblems },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request)
      const { id } = request.params as { id: string }
      await withTenant(db, actor.tenantId, (trx) => deleteRole(trx, actor, id, metaOf(request)))
      return reply.code(204).send()
    },
  )
}
