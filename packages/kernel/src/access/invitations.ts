import { type Static, Type } from '@sinclair/typebox'
import type { Db, Tx } from '../db/schema.ts'
import { enterTenant, withSystem } from '../db/tenant.ts'
import { Conflict, Invalid, NotFound } from '../errors/errors.ts'
import type { Actor } from '../identity/authenticate.ts'
import { issueUserToken } from '../identity/recovery/user-tokens.ts'
import { type RequestMeta, recordSecurityEvent } from '../identity/security-events.ts'
import { EmailSchema, insertUser, normalizeEmail, PersonNameSchema } from '../identity/users.ts'
import { newId } from '../ids.ts'
import { isEmailAddress } from '../mail/message.ts'
import { parse } from '../schemas/validate.ts'
import { assertRolesHeld, assertRulesNotWidened } from './escalation.ts'
import type { InvitationMail } from './invitation-mail.ts'
import { getMember, type MemberView } from './members.ts'
import { permissionsOfRoleKeys, RoleKeySchema } from './roles.ts'
import { accessTx } from './tables.ts'

/** POST /api/v1/members: invite a person, by email, into the tenant. */
export const InvitationInput = Type.Object(
  {
    email: EmailSchema,
    name: Type.Optional(PersonNameSchema),
    roles: Type.Array(RoleKeySchema, { minItems: 1, maxItems: 20, uniqueItems: true }),
    company_ids: Type.Optional(
      Type.Array(Type.String({ format: 'uuid' }), { minItems: 1, maxItems: 500, uniqueItems: true }),
    ),
  },
  { additionalProperties: false },
)
export type InvitationInput = Static<typeof InvitationInput>

export interface Invitation {
  member: MemberView
  /** what to mail the invitee, once the transaction has committed */
  mail: InvitationMail
}

/**
 * Invites a person into the actor's tenant. An address without an account gets one, without a
 * password, and a set-password link (a password-reset token, so it works once and expires like
 * one); an existing account joins and keeps its password (409 when it is already a member). The
 * inviter grants only what PATCH /members lets them grant: roles whose permissions they hold and
 * whose rules open no more than theirs (403), and companies they are allowed in (404 naming
 * `company_ids[i]`); without `company_ids`, the invitee gets the inviter's companies.
 * One transaction: a refusal leaves no account, token or membership behind.
 */
export async function inviteMember(
  db: Db,
  actor: Actor,
  input: unknown,
  meta: RequestMeta,
): Promise<Invitation> {
  const data = parse(InvitationInput, input)
  if (!isEmailAddress(data.email.trim())) {
    throw Invalid.field('email', 'email must be a single address such as name@example.com.', 'format')
  }
  return withSystem(db, async (trx) => {
    // global rows first: once the transaction enters the tenant, it runs as the application role
    const { tenant, inviter } = await namesOf(trx, actor)
    const found = await trx
      .selectFrom('users')
      .select(['id', 'email', 'name', 'password_hash'])
      .where('email_normalized', '=', normalizeEmail(data.email))
      .executeTakeFirst()
    const user = found ?? {
      ...(await insertUser(trx, { email: data.email, name: data.name ?? mailboxName(data.email) })),
      password_hash: null,
    }
    const token =
      user.password_hash === null ? await issueUserToken(trx, user.id, 'password_reset') : undefined

    await enterTenant(trx, actor.tenantId)
    const already = await trx
      .selectFrom('memberships')
      .select('status')
      .where('user_id', '=', user.id)
      .executeTakeFirst()
    if (already) {
      const message = `${data.email} is already a member of this tenant${already.status === 'disabled' ? ' (disabled: enable them instead)' : ''}.`
      throw new Conflict(message, 'already_member', [{ field: 'email', code: 'already_member', message }])
    }
    const permissions = await permissionsOfRoleKeys(trx, data.roles)
    assertRolesHeld(actor, new Map(data.roles.map((role) => [role, permissions.get(role) ?? []])))
    await assertRulesNotWidened(trx, actor, data.roles)
    const companies = await companiesFor(trx, actor, data.company_ids)

    const membershipId = newId()
    await trx
      .insertInto('memberships')
      .values({
        tenant_id: actor.tenantId,
        id: membershipId,
        user_id: user.id,
        roles: data.roles,
        created_by: actor.userId,
        updated_by: actor.userId,
      })
      .execute()
    if (companies.ids.length > 0) {
      await accessTx(trx)
        .insertInto('membership_companies')
        .values(
          companies.ids.map((company_id) => ({
            tenant_id: actor.tenantId,
            membership_id: membershipId,
            company_id,
            created_by: actor.userId,
          })),
        )
        .execute()
      await trx
        .updateTable('memberships')
        .set({ current_company_id: companies.current })
        .where('id', '=', membershipId)
        .execute()
    }
    await recordSecurityEvent(trx, actor.tenantId, 'member.invited', meta, {
      userId: user.id,
      apiKeyId: actor.apiKeyId,
      details: { by: actor.userId, roles: data.roles, company_ids: companies.ids },
    })
    return {
      member: await getMember(trx, membershipId),
      mail: { to: user.email, name: user.name, tenant, inviter, ...(token ? { token } : {}) },
    }
  })
}

async function namesOf(trx: Tx, actor: Actor): Promise<{ tenant: string; inviter: string }> {
  const tenant = await trx
    .selectFrom('tenants')
    .select('name')
    .where('id', '=', actor.tenantId)
    .executeTakeFirstOrThrow()
  const inviter = await trx
    .selectFrom('users')
    .select('name')
    .where('id', '=', actor.userId)
    .executeTakeFirstOrThrow()
  return { tenant: tenant.name, inviter: inviter.name }
}

/** The mailbox part of the address, as the account's name until the invitee changes it. */
function mailboxName(email: string): string {
  const trimmed = email.trim()
  return trimmed.slice(0, trimmed.lastIndexOf('@')).slice(0, 200) || trimmed.slice(0, 200)
}

/**
 * The invitee's companies. Named ones must be companies the inviter is allowed in, as for PATCH
 * /members (another is absent to them: 404); by default, the inviter's own unarchived companies,
 * with the inviter's current one as the invitee's.
 */
async function companiesFor(
  trx: Tx,
  actor: Actor,
  named: readonly string[] | undefined,
): Promise<{ ids: string[]; current: string | null }> {
  const wanted = named ?? actor.companyIds
  let query = trx.selectFrom('companies').select('id')
  if (!named) query = query.where('archived_at', 'is', null)
  const existing =
    wanted.length === 0
      ? new Set<string>()
      : new Set((await query.where('id', 'in', [...wanted]).execute()).map((c) => c.id))
  if (named) {
    const at = named.findIndex((c) => !actor.companyIds.includes(c) || !existing.has(c))
    if (at >= 0) throw new NotFound(`company_ids[${at}]: no such company.`, 'company_not_found')
  }
  const ids = wanted.filter((c) => existing.has(c))
  const current =
    !named && actor.companyId !== null && ids.includes(actor.companyId) ? actor.companyId : (ids[0] ?? null)
  return { ids, current }
}
