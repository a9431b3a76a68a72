import { Invalid } from '../../errors/errors.ts'
import type { EntityContext } from '../context.ts'
import type { FieldModel } from '../model.ts'

/**
 * A `user` field names a member of the current tenant (active or disabled: a deal keeps its owner
 * when they leave). The lookup runs under the tenant's row-level security, so another tenant's
 * user and an id nobody has get the same 400 — no hint that the user exists elsewhere.
 */
export async function checkMembers(
  ctx: EntityContext,
  checked: readonly [FieldModel, unknown, string][],
  name: (field: string) => string,
): Promise<void> {
  const given = checked.filter(
    (entry): entry is [FieldModel, string, string] =>
      entry[0].definition.type === 'user' && typeof entry[1] === 'string',
  )
  if (given.length === 0) return
  const ids = [...new Set(given.map(([, id]) => id))]
  const rows = await ctx.db.selectFrom('memberships').select('user_id').where('user_id', 'in', ids).execute()
  const members = new Set(rows.map((r) => r.user_id))
  const errors = given
    .filter(([, id]) => !members.has(id))
    .map(([, id, path]) => {
      const at = name(path)
      return { field: at, code: 'unknown_member', message: `${at}: no member has the user id ${id}.` }
    })
  if (errors.length > 0)
    throw new Invalid(`The input is invalid: ${errors.map((e) => e.message).join(' ')}`, errors)
}
