import { type Static, Type } from '@sinclair/typebox'
import { sql } from 'kysely'
import type { Tx } from '../db/schema.ts'
import { BusinessRule, Conflict, Forbidden, NotFound } from '../errors/errors.ts'
import type { Actor } from '../identity/authenticate.ts'
import { type RequestMeta, recordSecurityEvent } from '../identity/security-events.ts'
import { parse } from '../schemas/validate.ts'
import { allowedCompaniesOf, permissionsOfRoles } from './actor-rights.ts'
import { assertRolesHeld, assertRulesNotWidened } from './escalation.ts'
import { describePermission, firstNotHeld } from './grants.ts'
import { permissionsOfRoleKeys, RoleKeySchema } from './roles.ts'
import { accessTx } from './tables.ts'

/** PATCH /api/v1/members/{id}: what an administrator changes about a member's access. */
export const MemberPatchInput = Type.Object(
  {
    roles: Type.Optional(Type.Array(RoleKeySchema, { minItems: 1, maxItems: 20, uniqueItems: true })),
    company_ids: Type.Optional(
      Type.Array(Type.String({ format: 'uuid' }), { minItems: 1, maxItems: 500, uniqueItems: true }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type MemberPatchInput = Static<typeof MemberPatchInput>

export interface MemberView {
  id: string
  user_id: string
  email: string
  name: string
  status: 'active' | 'disabled'
  roles: string[]
  /** the union of the roles' permissions */
  permissions: string[]
  company_ids: string[]
  current_company_id: string | null
  version: number
  created_at: string
  updated_at: string
}

/** The right only owners hold: the last active member holding it cannot lose it. */
const OWNERSHIP = 'kernel.ownership:transfer'

function members(trx: Tx) {
  return trx
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select([
      'm.id',
      'm.user_id',
      'u.email',
      'u.name',
      'm.status',
      'm.roles',
      permissionsOfRoles('m.roles').as('permissions'),
      allowedCompaniesOf('m').as('company_ids'),
      'm.current_company_id',
      'm.version',
      'm.created_at',
      'm.updated_at',
    ])
}

type MemberRow = Awaited<ReturnType<ReturnType<typeof members>['executeTakeFirstOrThrow']>>

function view(row: MemberRow): MemberView {
  return {
    ...row,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  }
}

export async function listMembers(trx: Tx): Promise<MemberView[]> {
  const rows = await members(trx).orderBy('u.name').orderBy('m.id').execute()
  return rows.map(view)
}

export async function getMember(trx: Tx, id: string): Promise<MemberView> {
  const row = await members(trx).where('m.id', '=', id).executeTakeFirst()
  if (!row) throw new NotFound('No such member.')
  return view(row)
}

/** The acting member's own membership: GET /api/v1/members/me, for every member. */
export async function myMembership(trx: Tx, actor: Actor) {
  const row = await members(trx).where('m.user_id', '=', actor.userId).executeTakeFirstOrThrow()
  const companies =
    row.company_ids.length === 0
      ? []
      : await trx
          .selectFrom('companies')
          .select(['id', 'name'])
          .where('id', 'in', row.company_ids)
          .where('archived_at', 'is', null)
          .orderBy('name')
          .execute()
  // an API key acts with fewer rights than its member: show what this request may do
  return { ...view(row), permissions: actor.permissions, companies }
}

/**
 * Changes a member's roles and allowed companies, if the membership is still at `version`.
 * Nobody grants what they lack: every permission of the new roles must be the actor's, and a
 * company the actor is not allowed in is absent to them (404). Nobody changes a member who holds
 * rights they lack (an administrator cannot demote an owner). Members may only narrow their own
 * access. The tenant always keeps an active owner.
 */
export async function updateMember(
  trx: Tx,
  actor: Actor,
  id: string,
  version: number,
  input: unknown,
  meta: RequestMeta,
): Promise<MemberView> {
  const data = parse(MemberPatchInput, input)
  const target = await members(trx).where('m.id', '=', id).forUpdate('m').executeTakeFirst()
  if (!target) throw new NotFound('No such member.')
  if (target.version !== version) {
    throw new Conflict(
      `The member is at version ${target.version}, not ${version}; read them again and retry.`,
      'version_conflict',
    )
  }
  const roles = data.roles ?? target.roles
  const companyIds = data.company_ids ?? target.company_ids
  const rolePermissions = await permissionsOfRoleKeys(trx, roles)
  const self = target.user_id === actor.userId

  if (self) {
    const added = roles.find((r) => !target.roles.includes(r))
    const addedCompany = companyIds.find((c) => !target.company_ids.includes(c))
    if (added !== undefined || addedCompany !== undefined) {
      throw new Forbidden(
        added !== undefined
          ? `You cannot give yourself the role "${added}": another administrator must.`
          : 'You cannot add companies to your own membership: another administrator must.',
        'cannot_raise_own_access',
      )
    }
  } else {
    const above = firstNotHeld(target.permissions, actor.permissions)
    if (above !== undefined) {
      throw new Forbidden(
        `This member holds ${describePermission(above)}, which you do not: you cannot change their access.`,
        'member_outranks_you',
      )
    }
    assertRolesHeld(actor, new Map(roles.map((role) => [role, rolePermissions.get(role) ?? []])))
    // roles taken away only narrow what the member sees; those added must not widen it
    await assertRulesNotWidened(
      trx,
      actor,
      roles.filter((role) => !target.roles.includes(role)),
    )
    const at = companyIds.findIndex((c) => !target.company_ids.includes(c) && !actor.companyIds.includes(c))
    if (at >= 0) throw new NotFound(`company_ids[${at}]: no such company.`, 'company_not_found')
  }
  const newCompanies = companyIds.filter((c) => !target.company_ids.includes(c))
  if (newCompanies.length > 0) {
    const found = await trx.selectFrom('companies').select('id').where('id', 'in', newCompanies).execute()
    const missing = newCompanies.find((c) => !found.some((f) => f.id === c))
    if (missing !== undefined) {
      throw new NotFound(`company_ids[${companyIds.indexOf(missing)}]: no such company.`, 'company_not_found')
    }
  }

  const keepsOwnership = roles.some((r) => rolePermissions.get(r)?.includes(OWNERSHIP))
  if (target.permissions.includes(OWNERSHIP) && !keepsOwnership) await assertAnotherOwner(trx, target.id)

  const current =
    target.current_company_id !== null && companyIds.includes(target.current_company_id)
      ? target.current_company_id
      : (companyIds[0] ?? null)
  // the current company moves first: the old one may be about to leave the allowed list
  await trx
    .updateTable('memberships')
    .set({
      roles,
      current_company_id: newCompanies.includes(current ?? '') ? null : current,
      updated_by: actor.userId,
      updated_at: sql`now()`,
      version: sql`version + 1`,
    })
    .where('id', '=', id)
    .execute()
  const db = accessTx(trx)
  const removed = target.company_ids.filter((c) => !companyIds.includes(c))
  if (removed.length > 0) {
    await db
      .deleteFrom('membership_companies')
      .where('membership_id', '=', id)
      .where('company_id', 'in', removed)
      .execute()
  }
  if (newCompanies.length > 0) {
    await db
      .insertInto('membership_companies')
      .values(
        newCompanies.map((c) => ({
          tenant_id: actor.tenantId,
          membership_id: id,
          company_id: c,
          created_by: actor.userId,
        })),
      )
      .execute()
    if (current !== null && newCompanies.includes(current)) {
      await trx.updateTable('memberships').set({ current_company_id: current }).where('id', '=', id).execute()
    }
  }
  await recordSecurityEvent(trx, actor.tenantId, 'member.access_changed', meta, {
    userId: target.user_id,
    details: {
      by: actor.userId,
      roles: { before: target.roles, after: roles },
      company_ids: { before: target.company_ids, after: companyIds },
    },
  })
  return getMember(trx, id)
}

/** Refuses (422) to take the last active owner's ownership away. */
async function assertAnotherOwner(trx: Tx, membershipId: string): Promise<void> {
  const other = await trx
    .selectFrom('memberships as m')
    .select('m.id')
    .where('m.id', '!=', membershipId)
    .where('m.status', '=', 'active')
    .where(sql<boolean>`${OWNERSHIP} = any (${permissionsOfRoles('m.roles')})`)
    .limit(1)
    .executeTakeFirst()
  if (!other) {
    throw new BusinessRule(
      'last_owner',
      'This member is the last active owner: make someone else an owner first.',
    )
  }
}
