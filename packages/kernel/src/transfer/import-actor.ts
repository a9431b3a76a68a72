import { sql } from 'kysely'
import { allowedCompaniesOf, permissionsOfRoles } from '../access/actor-rights.ts'
import { intersect } from '../access/grants.ts'
import type { Tx } from '../db/schema.ts'
import { Forbidden } from '../errors/errors.ts'
import type { Actor } from '../identity/authenticate.ts'

/** Who started an import: the member, and the API key they used if they used one. */
export interface ImportStarter {
  created_by: string
  api_key_id: string | null
}

/**
 * The member who started an import as the access rules see them when the job runs: their
 * membership's current roles, rights and companies, narrowed to the API key's rights when a key
 * started it, as on a request (authenticate.ts, api-keys.ts). A member disabled, or a key revoked
 * or expired, since the upload may import nothing: 403 `import_not_allowed`.
 */
export async function importActor(trx: Tx, tenantId: string, starter: ImportStarter): Promise<Actor> {
  const member = await trx
    .selectFrom('memberships as m')
    .select([
      'm.roles',
      'm.current_company_id',
      permissionsOfRoles('m.roles').as('permissions'),
      allowedCompaniesOf('m').as('company_ids'),
    ])
    .where('m.user_id', '=', starter.created_by)
    .where('m.status', '=', 'active')
    .executeTakeFirst()
  if (!member) throw notAllowed()
  let permissions = member.permissions
  if (starter.api_key_id !== null) {
    const key = await trx
      .selectFrom('api_keys as k')
      .select(permissionsOfRoles('k.roles').as('permissions'))
      .where('k.id', '=', starter.api_key_id)
      .where('k.user_id', '=', starter.created_by)
      .where(sql<boolean>`k.revoked_at is null and (k.expires_at is null or k.expires_at > now())`)
      .executeTakeFirst()
    if (!key) throw notAllowed()
    permissions = intersect(key.permissions, member.permissions)
  }
  return {
    userId: starter.created_by,
    tenantId,
    sessionId: null,
    apiKeyId: starter.api_key_id,
    roles: member.roles,
    permissions,
    companyIds: member.company_ids,
    companyId: member.current_company_id,
    via: starter.api_key_id === null ? 'token' : 'api_key',
  }
}

const notAllowed = () =>
  new Forbidden(
    'The member or API key that started this import may no longer use it; nothing was imported.',
    'import_not_allowed',
  )
