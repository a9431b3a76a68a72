import { type TSchema, Type } from '@sinclair/typebox'
import {
  allowedCompaniesOf,
  createFieldRule,
  createRecordRule,
  deleteFieldRule,
  deleteRecordRule,
  ExplainQuery,
  explainAccess,
  FieldRuleInput,
  FieldRulePatch,
  getFieldRule,
  getRecordRule,
  type IdentityContext,
  listFieldRules,
  listRecordRules,
  RecordRuleInput,
  RecordRulePatch,
  type RuleAuthor,
  RulesQuery,
  type Tx,
  updateFieldRule,
  updateRecordRule,
  withTenant,
} from '@tessera/kernel'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { actorOf, requires } from '../auth/actor.ts'
import { metaOf } from '../auth/auth-routes.ts'

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
      reason: Type.String({
        description:
          'no_read_permission (the role does not grant reading the entity), no_record_rules, record_rule_matches or no_record_rule_matches',
      }),
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
  create(trx: Tx, by: RuleAuthor, input: unknown): Promise<unknown>
  list(trx: Tx, query: object): Promise<unknown[]>
  get(trx: Tx, id: string): Promise<unknown>
  update(trx: Tx, by: RuleAuthor, id: string, input: unknown): Promise<unknown>
  remove(trx: Tx, by: RuleAuthor, id: string): Promise<void>
}

/**
 * Record rules, field rules and explain: /api/v1/access. Reading rules needs
 * kernel.access_rule:read, changing them kernel.access_rule:manage, explain kernel.access:explain;
 * each is checked on request, before the body or query is validated, so a member without the
 * right learns nothing from validation errors either. Rules are validated against the entity's
 * metadata when saved (a bad one is a 400 and nothing is written), and every change is in the
 * security log.
 */
export async function accessRulesRoutes(
  app: FastifyInstance,
  { identity }: { identity: IdentityContext },
): Promise<void> {
  const read = requires(identity, 'kernel.access_rule:read')
  const manage = requires(identity, 'kernel.access_rule:manage')
  const inTenant = <T>(request: FastifyRequest, fn: (trx: Tx, by: RuleAuthor) => Promise<T>) => {
    const actor = actorOf(request)
    const by = {
      tenantId: actor.tenantId,
      userId: actor.userId,
      apiKeyId: actor.apiKeyId,
      meta: metaOf(request),
    }
    return withTenant(identity.db, actor.tenantId, (trx) => fn(trx, by))
  }
  const idOf = (request: FastifyRequest) => (request.params as { id: string }).id

  const crud = (
    path: string,
    noun: string,
    schemas: { row: TSchema; input: TSchema; patch: TSchema },
    service: RuleService,
  ) => {
    app.get(
      path,
      {
        onRequest: read,
        schema: {
          tags,
          summary: `List ${noun}s, optionally of one entity or role (kernel.access_rule:read)`,
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
        onRequest: manage,
        schema: {
          tags,
          summary: `Create a ${noun} (kernel.access_rule:manage)`,
          body: schemas.input,
          response: { 201: schemas.row, ...problems },
        },
      },
      async (request, reply) => {
        const created = await inTenant(request, (trx, by) => service.create(trx, by, request.body))
        return reply.code(201).send(created)
      },
    )
    app.get(
      `${path}/:id`,
      {
        onRequest: read,
        schema: {
          tags,
          summary: `One ${noun} (kernel.access_rule:read)`,
          params: RuleParams,
          response: { 200: schemas.row, ...problems },
        },
      },
      async (request) => inTenant(request, (trx) => service.get(trx, idOf(request))),
    )
    app.patch(
      `${path}/:id`,
      {
        onRequest: manage,
        schema: {
          tags,
          summary: `Change a ${noun}; it is validated again as a whole (kernel.access_rule:manage)`,
          params: RuleParams,
          body: schemas.patch,
          response: { 200: schemas.row, ...problems },
        },
      },
      async (request) => inTenant(request, (trx, by) => service.update(trx, by, idOf(request), request.body)),
    )
    app.delete(
      `${path}/:id`,
      {
        onRequest: manage,
        schema: { tags, summary: `Delete a ${noun} (kernel.access_rule:manage)`, params: RuleParams },
      },
      async (request, reply) => {
        await inTenant(request, (trx, by) => service.remove(trx, by, idOf(request)))
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
      onRequest: requires(identity, 'kernel.access:explain'),
      schema: {
        tags,
        summary:
          "Which of a member's roles, record rules and field rules grant or deny what on one record (kernel.access:explain)",
        querystring: ExplainQuery,
        response: { 200: Explanation, ...problems },
      },
    },
    async (request) => inTenant(request, (trx) => explainAccess(trx, request.query, { companyIdsOf })),
  )
}
