import { NotFound, type Tx } from '@tessera/kernel'
import { crmTx } from '../tables.ts'

/** Refuses (404 naming `field`) a user id that is not an active member of the transaction's tenant. */
export async function assertMember(trx: Tx, field: string, userId: unknown): Promise<void> {
  if (typeof userId !== 'string') return
  const member = await crmTx(trx)
    .selectFrom('member_directory')
    .select('user_id')
    .where('user_id', '=', userId)
    .where('status', '=', 'active')
    .executeTakeFirst()
  if (!member)
    throw NotFound.field(field, `${field}: no active member has the user id ${userId}.`, 'unknown_member')
}

/** Names of the tenant's members by user id, for answers that show who owns what. */
export async function memberNames(
  trx: Tx,
  userIds: readonly (string | null)[],
): Promise<Map<string, string>> {
  const ids = [...new Set(userIds.filter((id): id is string => id !== null))]
  if (ids.length === 0) return new Map()
  const rows = await crmTx(trx)
    .selectFrom('member_directory')
    .select(['user_id', 'name'])
    .where('user_id', 'in', ids)
    .execute()
  return new Map(rows.map((r) => [r.user_id, r.name]))
}
