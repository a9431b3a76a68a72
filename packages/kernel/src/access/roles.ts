import { type Static, Type } from '@sinclair/typebox'
import { sql } from 'kysely'
import type { Tx } from '../db/schema.ts'
import { BusinessRule, Conflict, Forbidden, Invalid, NotFound } from '../errors/errors.ts'
import type { Actor } from '../identity/authenticate.ts'
import { type RequestMeta, recordSecurityEvent } from '../identity/security-events.ts'
import { newId } from '../ids.ts'
import { parse } from '../schemas/validate.ts'
import { assertRulesNotWidened, concernsEntity } from './escalation.ts'
import { describePermission, firstNotHeld } from './grants.ts'
import { ALL_PERMISSIONS } from './permissions.ts'
import { storedRolePermissions } from './rules/subject.ts'
import { accessTx } from './tables.ts'

export const RoleKeySchema = Type.String({
  pattern: '^[a-z][a-z0-9_]{1,39}$',
  description: 'lower-case letters, digits or _, starting with a letter, 2 to 40 characters',
})
// any text up to 120 characters: one that is not in the catalogue is a 400 naming it
const PermissionSchema = Type.String({ minLength: 1, maxLength: 120 })
const Permissions = Type.Array(PermissionSchema, {
  maxItems: 1000,
  uniqueItems: true,
  description: '`<module>.<entity>:<action>` from GET /api/v1/permissions, or `*`',
})
const RoleName = Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' })
const Description = Type.String({ maxLength: 500 })

export const NewRoleInput = Type.Object(
  {
    key: RoleKeySchema,
    name: RoleName,
    description: Type.Optional(Type.Union([Description, Type.Null()])),
    permissions: Permissions,
  },
  { additionalProperties: false },
)
export type NewRoleInput = Static<typeof NewRoleInput>

export const RolePatchInput = Type.Object(
  {
    name: Type.Optional(RoleName),
    description: Type.Optional(Type.Union([Description, Type.Null()])),
    permissions: Type.Optional(Permissions),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type RolePatchInput = Static<typeof RolePatchInput>

/** A role as the API shows it. */
export interface RoleView {
  id: string
  key: string
  name: string
  description: string | null
  permissions: string[]
  /** defined in code (kernel or module), read-only; false for the tenant's own roles */
  template: boolean
  /** `kernel` or the module of a template; null for the tenant's own */
  origin: string | null
  version: number
  created_at: string
  updated_at: string
}

/**
 * Known permission names (the server's catalogue, and patterns such as custom entities' rights);
 * `*` is always known.
 */
export type PermissionNames = { has(permission: string): boolean }

const COLUMNS = [
  'id',
  'key',
  'name',
  'description',
  'permissions',
  'origin',
  'version',
  'created_at',
  'updated_at',
] as const

type RoleRow = {
  id: string
  key: string
  name: string
  description: string | null
  permissions: string[]
  origin: string | null
  version: number
  created_at: Date
  updated_at: Date
}

function view(row: RoleRow): RoleView {
  return {
    id: row.id,
    key: row.key,
    name: row.name,
    description: row.description,
    permissions: row.permissions,
    template: row.origin !== null,
    origin: row.origin,
    version: row.version,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  }
}

/** Each permission must be in the catalogue: 400 naming the first one that is not. */
function assertKnown(permissions: readonly string[], known: PermissionNames): void {
  const at = permissions.findIndex((p) => p !== ALL_PERMISSIONS && !known.has(p))
  if (at >= 0) {
    const message = `permissions[${at}]: "${permissions[at]}" is not a permission of this server.`
    throw Invalid.field(`permissions[${at}]`, message, 'unknown_permission')
  }
}

/** A member can never grant a right they do not hold: 403 naming it, before anything is written. */
function assertHeld(actor: Actor, permissions: readonly string[]): void {
  const missing = firstNotHeld(permissions, actor.permissions)
  if (missing !== undefined) {
    throw new Forbidden(
      `You cannot grant ${describePermission(missing)}: you do not hold it yourself.`,
      'permission_not_held',
    )
  }
}

/** Changing a role that grants more than the actor holds would let them act above their rights. */
function assertNotAbove(actor: Actor, role: RoleRow): void {
  const missing = firstNotHeld(role.permissions, actor.permissions)
  if (missing !== undefined) {
    throw new Forbidden(
      `The role "${role.key}" grants ${describePermission(missing)}, which you do not hold: you cannot change it.`,
      'role_outranks_you',
    )
  }
}

function assertCustom(role: RoleRow): void {
  if (role.origin !== null) {
    throw new BusinessRule(
      'role_is_template',
      `The role "${role.key}" is a template from ${role.origin === 'kernel' ? 'the kernel' : `the module "${role.origin}"`} and cannot be changed; create a role of your own instead.`,
    )
  }
}

export async function listRoles(trx: Tx): Promise<RoleView[]> {
  const rows = await accessTx(trx).selectFrom('roles').select(COLUMNS).orderBy('key').execute()
  return rows.map(view)
}

async function findRole(trx: Tx, id: string, lock = false): Promise<RoleRow> {
  let query = accessTx(trx).selectFrom('roles').select(COLUMNS).where('id', '=', id)
  if (lock) query = query.forUpdate()
  const row = await query.executeTakeFirst()
  if (!row) throw new NotFound('No such role.')
  return row
}

export async function getRole(trx: Tx, id: string): Promise<RoleView> {
  return view(await findRole(trx, id))
}

const staleVersion = (version: number) =>
  new Conflict(`The role was changed since version ${version}; read it again and retry.`, 'version_conflict')

export async function createRole(
  trx: Tx,
  actor: Actor,
  known: PermissionNames,
  input: unknown,
  meta: RequestMeta,
): Promise<RoleView> {
  const data = parse(NewRoleInput, input)
  assertKnown(data.permissions, known)
  assertHeld(actor, data.permissions)
  const taken = await accessTx(trx)
    .selectFrom('roles')
    .select('id')
    .where('key', '=', data.key)
    .executeTakeFirst()
  if (taken) {
    const message = `A role called "${data.key}" already exists.`
    throw new Conflict(message, 'role_key_taken', [{ field: 'key', code: 'taken', message }])
  }
  // rules may already name the key (a rule for a role nobody holds is inert until it exists)
  await assertRulesNotWidened(trx, actor, [data.key], concernsEntity(data.permissions), {
    role: data.key,
    permissions: data.permissions,
  })
  const row = await accessTx(trx)
    .insertInto('roles')
    .values({
      tenant_id: actor.tenantId,
      id: newId(),
      key: data.key,
      name: data.name.trim(),
      description: data.description ?? null,
      permissions: [...data.permissions].sort(),
      origin: null,
      created_by: actor.userId,
      updated_by: actor.userId,
    })
    .returning(COLUMNS)
    .executeTakeFirstOrThrow()
  await recordSecurityEvent(trx, actor.tenantId, 'role.created', meta, {
    userId: actor.userId,
    details: { role: row.key, permissions: row.permissions },
  })
  return view(row)
}

export async function updateRole(
  trx: Tx,
  actor: Actor,
  known: PermissionNames,
  id: string,
  version: number,
  input: unknown,
  meta: RequestMeta,
): Promise<RoleView> {
  const data = parse(RolePatchInput, input)
  if (data.permissions) assertKnown(data.permissions, known)
  const role = await findRole(trx, id, true)
  assertCustom(role)
  if (role.version !== version) throw staleVersion(version)
  assertNotAbove(actor, role)
  if (data.permissions) {
    assertHeld(actor, data.permissions)
    // the role's holders gain the added permissions on whatever rows its rules leave open
    const added = data.permissions.filter((p) => !role.permissions.includes(p))
    await assertRulesNotWidened(trx, actor, [role.key], concernsEntity(added), {
      role: role.key,
      permissions: data.permissions,
    })
  }
  const row = await accessTx(trx)
    .updateTable('roles')
    .set({
      ...(data.name !== undefined ? { name: data.name.trim() } : {}),
      ...(data.description !== undefined ? { description: data.description } : {}),
      ...(data.permissions !== undefined ? { permissions: [...data.permissions].sort() } : {}),
      updated_by: actor.userId,
      updated_at: sql`now()`,
      version: sql`version + 1`,
    })
    .where('id', '=', id)
    .returning(COLUMNS)
    .executeTakeFirstOrThrow()
  if (data.permissions) {
    await recordSecurityEvent(trx, actor.tenantId, 'role.changed', meta, {
      userId: actor.userId,
      details: { role: row.key, before: role.permissions, after: row.permissions },
    })
  }
  return view(row)
}

/** Deletes a role of the tenant's own that nobody holds (no member, live API key or SSO default). */
export async function deleteRole(trx: Tx, actor: Actor, id: string, meta: RequestMeta): Promise<void> {
  const role = await findRole(trx, id, true)
  assertCustom(role)
  assertNotAbove(actor, role)
  const { rows } = await sql<{ members: number; keys: number; sso: number }>`
    select (select count(*)::int from memberships where ${role.key} = any (roles)) as members,
           (select count(*)::int from api_keys where revoked_at is null and ${role.key} = any (roles)) as keys,
           (select count(*)::int from sso_providers where default_role = ${role.key}) as sso`.execute(trx)
  const use = rows[0] ?? { members: 0, keys: 0, sso: 0 }
  if (use.members + use.keys + use.sso > 0) {
    const holders = [
      use.members > 0 ? `${use.members} member${use.members > 1 ? 's' : ''}` : '',
      use.keys > 0 ? `${use.keys} API key${use.keys > 1 ? 's' : ''}` : '',
      use.sso > 0 ? 'single sign-on (as the default role)' : '',
    ].filter(Boolean)
    throw new BusinessRule(
      'role_in_use',
      `The role "${role.key}" is held by ${holders.join(' and ')}: take it away first.`,
    )
  }
  await accessTx(trx).deleteFrom('roles').where('id', '=', id).execute()
  await recordSecurityEvent(trx, actor.tenantId, 'role.deleted', meta, {
    userId: actor.userId,
    details: { role: role.key },
  })
}

/**
 * The permissions of the given role keys, in the transaction's tenant. An unknown key is a 400
 * naming `<field>[i]`.
 */
export async function permissionsOfRoleKeys(
  trx: Tx,
  keys: readonly string[],
  field = 'roles',
): Promise<Map<string, string[]>> {
  const byKey = await storedRolePermissions(trx, keys)
  keys.forEach((key, at) => {
    if (!byKey.has(key)) {
      const message = `${field}[${at}]: no role is called "${key}".`
      throw Invalid.field(`${field}[${at}]`, message, 'unknown_role')
    }
  })
  return byKey
}

/**
 * The role `key` exists and grants nothing the actor lacks: for settings that hand a role out
 * later, such as single sign-on's default role for new members. 400 naming `field`, or 403.
 */
export async function assertRoleGrantable(trx: Tx, actor: Actor, key: string, field: string): Promise<void> {
  const role = await accessTx(trx)
    .selectFrom('roles')
    .select('permissions')
    .where('key', '=', key)
    .executeTakeFirst()
  if (!role) throw Invalid.field(field, `${field}: no role is called "${key}".`, 'unknown_role')
  const missing = firstNotHeld(role.permissions, actor.permissions)
  if (missing !== undefined) {
    throw new Forbidden(
      `The role "${key}" grants ${describePermission(missing)}, which you do not hold: you cannot hand it out.`,
      'permission_not_held',
    )
  }
  await assertRulesNotWidened(trx, actor, [key])
}
