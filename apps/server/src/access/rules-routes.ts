import { type TSchema, Type } from '@sinclair/typebox'
import {
  type Actor,
  allowedCompaniesOf,
  createFieldRule,
  createRecordRule,
  deleteFieldRule,
  deleteRecordRule,
  ExplainQuery,
  explainAccess,
  FieldRuleInput,
  FieldRulePatch,
  Forbidden,
  getFieldRule,
  getRecordRule,
  type IdentityContext,
  listFieldRules,
  listRecordRules,
  RecordRuleInput,
  RecordRulePatch,
  RulesQuery,
  type Tx,
  updateFieldRule,
  updateRecordRule,
  withTenant,
} from '@tessera/kernel'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { actorOf, authenticated, isAdmin } from '../auth/actor.ts'

const tags = ['access']
const RuleParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false })
const problems = {
  400: { $ref: 'Problem#' },
  403: { $ref: 'Problem#' },
  404: { $ref: 'Problem#' },
  409: { $ref: 'Problem#' },
}

const Stamps = {
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
  created_by: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  updated_by: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  version: Type.Integer(),
}
const RecordRule = Type.Object({
  id: Type.String({ format: 'uuid' }),
  role: Type.String(),
  entity: Type.String(),
  filter: Type.String({ description: 'as written when saved' }),
  description: Type.Union([Type.String(), Type.Null()]),
  ...Stamps,
})
const FieldRule = Type.Object({
  id: Type.String({ format: 'uuid' }),
  role: Type.String(),
  entity: Type.String(),
  field: Type.String(),
  access: Type.Union([Type.Literal('hidden'), Type.Literal('read_only')]),
  ...Stamps,
})
const Explanation = Type.Object({
  entity: Type.String(),
  id: Type.String({ format: 'uuid' }),
  member: Type.Object({
    id: Type.String({ format: 'uuid' }),
    user_id: Type.String({ format: 'uuid' }),
    email: Type.String(),
    status: Type.String(),
    roles: Type.Array(Type.String()),
  }),
  can_read: Type.Boolean({ description: "the member's record scope run against the record" }),
  reason: Type.String({ description: 'granted_by_role, no_role_grants or member_has_no_roles' }),
  roles: Type.Array(
    Type.Object({
      role: Type.String(),
      grants_read: Type.Boolean(),
      reason: Type.String({ description: 'no_record_rules, record_rule_matches or no_record_rule_matches' }),
      record_rules: Type.Array(
        Type.Object({
          id: Type.String({ format: 'uuid' }),
          filter: Type.String(),
          description: Type.Union([Type.String(), Type.Null()]),
          matches: Type.Boolean(),
          error: Type.Optional(
            Type.String({ description: 'why a rule that no longer validates allows nothing' }),
          ),
        }),
      ),
      field_rules: Type.Array(
        Type.Object({ id: Type.String({ format: 'uuid' }), field: Type.String(), access: Type.String() }),
      ),
    }),
  ),
  fields: Type.Object({ hidden: Type.Array(Type.String()), read_only: Type.Array(Type.String()) }),
})

/**
 * Tenant administrators only, for now (the permission model will name a right for this),
 * checked on request, before the body or query is validated: a member who may not manage rules
 * learns nothing from validation errors either.
 */
function adminOnly(identity: IdentityContext) {
  const signIn = authenticated(identity)
  return async (request: FastifyRequest, reply: FastifyReply) => {
    await signIn(request, reply)
    if (!isAdmin(actorOf(request))) throw new Forbidden('Only tenant administrators can manage access rules.')
  }
}

/** A member's allowed companies, read as authentication reads them for the member's own requests. */
async function companyIdsOf(trx: Tx, membershipId: string): Promise<string[]> {
  const row = await trx
    .selectFrom('memberships as m')
    .select(allowedCompaniesOf('m').as('ids'))
    .where('m.id', '=', membershipId)
    .executeTakeFirst()
  return row?.ids ?? []
}

interface RuleService {
  create(trx: Tx, tenantId: string, actorId: string, input: unknown): Promise<unknown>
  list(trx: Tx, query: object): Promise<unknown[]>
  get(trx: Tx, id: string): Promise<unknown>
  update(trx: Tx, actorId: string, id: string, input: unknown): Promise<unknown>
  remove(trx: Tx, id: string): Promise<void>
}

/**
 * Record rules, field rules and explain: /api/v1/access. Only tenant administrators; rules are
 * validated against the entity's metadata when saved, so a bad one is a 400 and nothing is written.
 */
export async function accessRulesRoutes(
  app: FastifyInstance,
  { identity }: { identity: IdentityContext },
): Promise<void> {
  const onRequest = adminOnly(identity)
  const inTenant = <T>(request: FastifyRequest, fn: (trx: Tx, actor: Actor) => Promise<T>) => {
    const actor = actorOf(request)
    return withTenant(identity.db, actor.tenantId, (trx) => fn(trx, actor))
  }

  const crud = (
    path: string,
    noun: string,
    schemas: { row: TSchema; input: TSchema; patch: TSchema },
    service: RuleService,
  ) => {
    app.get(
      path,
      {
        onRequest,
        schema: {
          tags,
          summary: `List ${noun}s, optionally of one entity or role`,
          querystring: RulesQuery,
          response: { 200: Type.Object({ data: Type.Array(schemas.row) }), ...problems },
        },
      },
      async (request) => ({
        data: await inTenant(request, (trx) => service.list(trx, request.query as object)),
      }),
    )
    app.post(
      path,
      {
        onRequest,
        schema: {
          tags,
          summary: `Create a ${noun}`,
          body: schemas.input,
          response: { 201: schemas.row, ...problems },
        },
      },
      async (request, reply) => {
        const created = await inTenant(request, (trx, actor) =>
          service.create(trx, actor.tenantId, actor.userId, request.body),
        )
        return reply.code(201).send(created)
      },
    )
    app.get(
      `${path}/:id`,
      {
        onRequest,
        schema: {
          tags,
          summary: `One ${noun}`,
          params: RuleParams,
          response: { 200: schemas.row, ...problems },
        },
      },
      async (request) => inTenant(request, (trx) => service.get(trx, (request.params as { id: string }).id)),
    )
    app.patch(
      `${path}/:id`,
      {
        onRequest,
        schema: {
          tags,
          summary: `Change a ${noun}; it is validated again as a whole`,
          params: RuleParams,
          body: schemas.patch,
          response: { 200: schemas.row, ...problems },
        },
      },
      async (request) =>
        inTenant(request, (trx, actor) =>
          service.update(trx, actor.userId, (request.params as { id: string }).id, request.body),
        ),
    )
    app.delete(
      `${path}/:id`,
      { onRequest, schema: { tags, summary: `Delete a ${noun}`, params: RuleParams } },
      async (request, reply) => {
        await inTenant(request, (trx) => service.remove(trx, (request.params as { id: string }).id))
        return reply.code(204).send()
      },
    )
  }

  crud(
    '/record-rules',
    'record rule',
    { row: RecordRule, input: RecordRuleInput, patch: RecordRulePatch },
    {
      create: createRecordRule,
      list: listRecordRules,
      get: getRecordRule,
      update: updateRecordRule,
      remove: deleteRecordRule,
    },
  )
  crud(
    '/field-rules',
    'field rule',
    { row: FieldRule, input: FieldRuleInput, patch: FieldRulePatch },
    {
      create: createFieldRule,
      list: listFieldRules,
      get: getFieldRule,
      update: updateFieldRule,
      remove: deleteFieldRule,
    },
  )

  app.get(
    '/explain',
    {
      onRequest,
      schema: {
        tags,
        summary: "Which of a member's roles, record rules and field rules grant or deny what on one record",
        querystring: ExplainQuery,
        response: { 200: Explanation, ...problems },
      },
    },
    async (request) => inTenant(request, (trx) => explainAccess(trx, request.query, { companyIdsOf })),
  )
}
