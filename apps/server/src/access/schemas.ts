import { Type } from '@sinclair/typebox'

/** Response shapes of the roles, members and companies routes (documentation and serialisation). */

const Timestamp = Type.String({ format: 'date-time' })
const Uuid = Type.String({ format: 'uuid' })

export const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false })

export const PermissionSchema = Type.Object(
  {
    permission: Type.String(),
    module: Type.String({ description: '`kernel` or the declaring module' }),
    description: Type.String(),
    owner_only: Type.Boolean({ description: 'only the Owner role holds it; `*` does not include it' }),
  },
  { additionalProperties: false },
)

export const RoleSchema = Type.Object(
  {
    id: Uuid,
    key: Type.String(),
    name: Type.String(),
    description: Type.Union([Type.String(), Type.Null()]),
    permissions: Type.Array(Type.String()),
    template: Type.Boolean({ description: 'defined in code (kernel or a module) and read-only' }),
    origin: Type.Union([Type.String(), Type.Null()], { description: '`kernel`, a module, or null' }),
    version: Type.Integer(),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { additionalProperties: false },
)

const memberFields = {
  id: Uuid,
  user_id: Uuid,
  email: Type.String(),
  name: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
  roles: Type.Array(Type.String()),
  permissions: Type.Array(Type.String({ description: 'the union of the roles’ permissions' })),
  company_ids: Type.Array(Uuid),
  current_company_id: Type.Union([Uuid, Type.Null()]),
  version: Type.Integer(),
  created_at: Timestamp,
  updated_at: Timestamp,
}

export const MemberSchema = Type.Object(memberFields, { additionalProperties: false })

export const MyMembershipSchema = Type.Object(
  {
    ...memberFields,
    permissions: Type.Array(Type.String(), { description: 'what this request may do (an API key: less)' }),
    companies: Type.Array(Type.Object({ id: Uuid, name: Type.String() }, { additionalProperties: false })),
  },
  { additionalProperties: false },
)

export const CompanySchema = Type.Object(
  {
    id: Uuid,
    name: Type.String(),
    currency: Type.String(),
    country: Type.Union([Type.String(), Type.Null()]),
    timezone: Type.String(),
    logo_url: Type.Union([Type.String(), Type.Null()]),
    primary_color: Type.Union([Type.String(), Type.Null()]),
    current: Type.Boolean({ description: 'the member’s current company' }),
    version: Type.Integer(),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { additionalProperties: false },
)

const problem = { $ref: 'Problem#' }
export const problems = { 400: problem, 401: problem, 403: problem, 404: problem }
export const writeProblems = { ...problems, 409: problem, 422: problem, 428: problem }

export const listOf = <T extends Parameters<typeof Type.Array>[0]>(item: T) =>
  Type.Object({ data: Type.Array(item) }, { additionalProperties: false })
