import { type Static, Type } from '@sinclair/typebox'
import { sql } from 'kysely'
import { allowedCompaniesOf, permissionsOfRoles } from '../access/actor-rights.ts'
import { describePermission, firstNotHeld, intersect } from '../access/grants.ts'
import { permissionsOfRoleKeys } from '../access/roles.ts'
import type { Tx } from '../db/schema.ts'
import { withTenant } from '../db/tenant.ts'
import { BusinessRule, Forbidden, Invalid, NotFound, Unauthorized } from '../errors/errors.ts'
import { newId } from '../ids.ts'
import { activeModulesOf } from '../module/active.ts'
import { parse } from '../schemas/validate.ts'
import type { Actor } from './authenticate.ts'
import type { IdentityContext } from './context.ts'
import { hashSecret, newSecret, sameSecret } from './opaque-token.ts'
import { type RequestMeta, recordSecurityEvent } from './security-events.ts'

/** Every API key starts with this, so secret scanners and people recognise a leaked one. */
export const API_KEY_PREFIX = 'tsk_'

/** A member may hold this many unrevoked keys per tenant: enough for integrations, not a flood. */
export const MAX_API_KEYS_PER_MEMBER = 100

/** last_used_at and the api_key.used event are written at most once per key per this interval. */
export const API_KEY_USE_INTERVAL_SECONDS = 60

const HEX = '[0-9a-f]{32}'
const API_KEY = new RegExp(`^tsk_(${HEX})_(${HEX})_([A-Za-z0-9_-]{43})$`)

/**
 * The shown, non-secret start of a key: `tsk_` and the first 12 hex digits of the key id, which
 * for a UUIDv7 are its creation millisecond, so a member can tell their keys apart in a list.
 */
const PREFIX_LENGTH = API_KEY_PREFIX.length + 12

// lenient on purpose: an unknown role is a 400 naming it, a role granting more than the member
// holds a 403 naming the permission
const KeyRoleSchema = Type.String({ pattern: '^[a-z][a-z0-9_.:-]{0,62}$' })

export const ApiKeyInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }),
    roles: Type.Array(KeyRoleSchema, { minItems: 1, maxItems: 50, uniqueItems: true }),
    expires_at: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })),
  },
  { additionalProperties: false },
)
export type ApiKeyInput = Static<typeof ApiKeyInput>

const hex = (id: string) => id.replaceAll('-', '')
const uuid = (h: string) =>
  `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`

/**
 * Key format: `tsk_<key id>_<tenant id>_<secret>`, the ids as 32 hex digits, the secret 256 bits
 * of base64url. The key names its row because row-level security needs the tenant before any row
 * can be seen; the ids are not secret. Only the SHA-256 of the whole key is stored: the secret's
 * entropy makes a slow hash unnecessary, and altering any character (ids included) changes it.
 */
export function newApiKey(tenantId: string, keyId: string): { key: string; hash: string; prefix: string } {
  const key = `${API_KEY_PREFIX}${hex(keyId)}_${hex(tenantId)}_${newSecret()}`
  return { key, hash: hashSecret(key), prefix: key.slice(0, PREFIX_LENGTH) }
}

/** Whether a bearer credential is meant to be an API key (rather than an access token). */
export function looksLikeApiKey(token: string): boolean {
  return token.startsWith(API_KEY_PREFIX)
}

export function parseApiKey(key: unknown): { keyId: string; tenantId: string; hash: string } | undefined {
  if (typeof key !== 'string' || key.length > 200) return undefined
  const match = API_KEY.exec(key)
  if (!match?.[1] || !match[2]) return undefined
  return { keyId: uuid(match[1]), tenantId: uuid(match[2]), hash: hashSecret(key) }
}

const invalidKey = () => new Unauthorized('The credentials are invalid, expired or revoked.', 'invalid_token')

/**
 * An API key as the Authorization bearer. Checked on every request against the database (no
 * cache): the key must be unrevoked and unexpired, its owner an active member of an active tenant.
 * The key's rights are what both its roles and its owner's roles grant, so taking a right away
 * from a member takes it away from their keys at once. Its roles (for record rules and field
 * masks) are its owner's: a key narrows what its owner may do, never which records they see.
 *
 * Use is recorded at most once per key per minute (last_used_at and an `api_key.used` event):
 * enough to answer "is this key still in use, and from where", without turning every request
 * into a write. The conditional update lets exactly one of concurrent requests record it.
 */
export async function authenticateApiKey(
  ctx: IdentityContext,
  key: string,
  meta: RequestMeta,
): Promise<Actor> {
  const parsed = parseApiKey(key)
  if (!parsed) throw invalidKey()
  const actor = await withTenant(ctx.db, parsed.tenantId, async (trx) => {
    const row = await trx
      .selectFrom('api_keys as k')
      .innerJoin('memberships as m', (join) =>
        join.onRef('m.tenant_id', '=', 'k.tenant_id').onRef('m.user_id', '=', 'k.user_id'),
      )
      .innerJoin('tenants as t', 't.id', 'k.tenant_id')
      .select([
        'k.user_id',
        'k.secret_hash',
        'm.roles as member_roles',
        'm.status',
        'm.current_company_id',
        permissionsOfRoles('k.roles').as('key_permissions'),
        permissionsOfRoles('m.roles').as('member_permissions'),
        allowedCompaniesOf('m').as('company_ids'),
        't.status as tenant_status',
        activeModulesOf('t').as('active_modules'),
        sql<boolean>`k.revoked_at is null and (k.expires_at is null or k.expires_at > now())`.as('open'),
      ])
      .where('k.id', '=', parsed.keyId)
      .executeTakeFirst()
    if (!row || !sameSecret(row.secret_hash, parsed.hash)) return undefined
    if (!row.open || row.status !== 'active' || row.tenant_status !== 'active') return undefined
    await recordUse(trx, parsed.tenantId, parsed.keyId, row.user_id, meta)
    return {
      userId: row.user_id,
      tenantId: parsed.tenantId,
      sessionId: null,
      apiKeyId: parsed.keyId,
      roles: row.member_roles,
      permissions: intersect(row.key_permissions, row.member_permissions),
      companyIds: row.company_ids,
      companyId: row.current_company_id,
      via: 'api_key' as const,
      activeModules: row.active_modules,
    }
  })
  if (!actor) throw invalidKey()
  return actor
}

async function recordUse(trx: Tx, tenantId: string, keyId: string, userId: string, meta: RequestMeta) {
  const updated = await trx
    .updateTable('api_keys')
    .set({ last_used_at: sql`now()` })
    .where('id', '=', keyId)
    .where((eb) =>
      eb.or([
        eb('last_used_at', 'is', null),
        eb('last_used_at', '<', sql<Date>`now() - make_interval(secs => ${API_KEY_USE_INTERVAL_SECONDS})`),
      ]),
    )
    .returning('id')
    .executeTakeFirst()
  if (updated) await recordSecurityEvent(trx, tenantId, 'api_key.used', meta, { userId, apiKeyId: keyId })
}

/** What a key looks like in lists: never its secret or hash. */
const LISTED = [
  'id',
  'user_id',
  'name',
  'prefix',
  'roles',
  'expires_at',
  'last_used_at',
  'created_at',
] as const

/** Key management needs the member themself: a key must not mint or revoke keys. */
function assertNotApiKey(actor: Actor, what: string): void {
  if (actor.via === 'api_key')
    throw new Forbidden(`An API key cannot ${what} API keys; sign in as the member.`, 'api_key_not_allowed')
}

/**
 * The key's roles must exist, and every permission they grant must be one the member holds now:
 * a member can never grant a right they do not hold themselves (the roles themselves need not be
 * the member's: an administrator may give a key the narrower Manager role).
 */
async function assertGrantable(trx: Tx, actor: Actor, roleKeys: readonly string[]): Promise<void> {
  const permissions = await permissionsOfRoleKeys(trx, roleKeys)
  for (const key of roleKeys) {
    const missing = firstNotHeld(permissions.get(key) ?? [], actor.permissions)
    if (missing !== undefined)
      throw new Forbidden(
        `The role "${key}" grants ${describePermission(missing)}, which you do not hold: a key never has more rights than you.`,
        'permission_not_held',
      )
  }
}

/**
 * Creates a key for the acting member in their tenant, with roles whose rights the member holds
 * (see assertGrantable). The key itself is returned once, here, and never again.
 */
export async function createApiKey(ctx: IdentityContext, actor: Actor, input: unknown, meta: RequestMeta) {
  assertNotApiKey(actor, 'create')
  const data = parse(ApiKeyInput, input)
  const expiresAt = data.expires_at === undefined ? null : new Date(data.expires_at)
  if (expiresAt && Number.isNaN(expiresAt.getTime()))
    throw Invalid.field('expires_at', 'expires_at is not a valid date-time.', 'format')
  if (expiresAt && expiresAt.getTime() <= Date.now())
    throw Invalid.field('expires_at', 'expires_at must be in the future.', 'not_in_future')
  const name = data.name.trim()
  return withTenant(ctx.db, actor.tenantId, async (trx) => {
    await assertGrantable(trx, actor, data.roles)
    const { count } = await trx
      .selectFrom('api_keys')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('user_id', '=', actor.userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirstOrThrow()
    if (Number(count) >= MAX_API_KEYS_PER_MEMBER)
      throw new BusinessRule(
        'too_many_api_keys',
        `A member can hold at most ${MAX_API_KEYS_PER_MEMBER} API keys; revoke one first.`,
      )
    const id = newId()
    const { key, hash, prefix } = newApiKey(actor.tenantId, id)
    const row = await trx
      .insertInto('api_keys')
      .values({
        tenant_id: actor.tenantId,
        id,
        user_id: actor.userId,
        name,
        prefix,
        secret_hash: hash,
        roles: data.roles,
        expires_at: expiresAt,
      })
      .returning(['id', 'name', 'prefix', 'roles', 'expires_at', 'created_at'])
      .executeTakeFirstOrThrow()
    await recordSecurityEvent(trx, actor.tenantId, 'api_key.created', meta, {
      userId: actor.userId,
      apiKeyId: id,
      details: { name, roles: data.roles, expires_at: row.expires_at },
    })
    return { ...row, key }
  })
}

/**
 * Unrevoked keys (expired ones included, so they can be seen and cleaned up), newest first:
 * the member's own, or with `scope: 'tenant'` (administrators) every member's.
 */
export function listApiKeys(ctx: IdentityContext, actor: Actor, scope: 'own' | 'tenant') {
  return withTenant(ctx.db, actor.tenantId, (trx) => {
    let query = trx
      .selectFrom('api_keys')
      .select(LISTED)
      .where('revoked_at', 'is', null)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
    if (scope === 'own') query = query.where('user_id', '=', actor.userId)
    return query.execute()
  })
}

/**
 * Revokes a key at once: the next request with it is refused. Another member's key is 404 unless
 * `scope` is 'tenant' (administrators); another tenant's key is never visible, so always 404.
 */
export async function revokeApiKey(
  ctx: IdentityContext,
  actor: Actor,
  keyId: string,
  meta: RequestMeta,
  scope: 'own' | 'tenant',
): Promise<void> {
  assertNotApiKey(actor, 'revoke')
  const revoked = await withTenant(ctx.db, actor.tenantId, async (trx) => {
    let query = trx
      .updateTable('api_keys')
      .set({ revoked_at: sql`now()` })
      .where('id', '=', keyId)
      .where('revoked_at', 'is', null)
    if (scope === 'own') query = query.where('user_id', '=', actor.userId)
    const row = await query.returning(['id', 'user_id', 'name']).executeTakeFirst()
    if (row) {
      await recordSecurityEvent(trx, actor.tenantId, 'api_key.revoked', meta, {
        userId: row.user_id,
        apiKeyId: row.id,
        details: { name: row.name, by: actor.userId },
      })
    }
    return row !== undefined
  })
  if (!revoked) throw new NotFound('No such API key.')
}
