import { sql } from 'kysely'
import { can } from '../access/can.ts'
import type { EntityContext } from '../entities/context.ts'
import { remember } from '../entities/context.ts'
import type { FieldModel } from '../entities/model.ts'
import { loadAccess, modelOf, permissionOf } from '../entities/store/access.ts'
import { valueSql } from '../filters/field-sql.ts'
import { resolveField } from '../filters/validate.ts'
import type { Converted } from './convert.ts'

/**
 * A reference cell that is not an id names the target by its display value (a partner's name):
 * it resolves when exactly one record the member may see has that value, ignoring case. None, or
 * several, is the row's error. The member's own access to the target applies, so a name cannot
 * reveal a record they could not pick by id.
 */
export async function referenceByDisplay(
  ctx: EntityContext,
  field: FieldModel,
  text: string,
): Promise<Converted> {
  const key = field.definition.target as string
  const ids = await remember(ctx, `import-reference:${key}:${text.toLowerCase()}`, () =>
    lookUp(ctx, key, text),
  )
  const quoted = JSON.stringify(text.slice(0, 100))
  if (ids.length === 1) return { value: ids[0] }
  if (ids.length === 0)
    return {
      code: 'reference_not_found',
      message: `names no record: ${quoted} is neither an id nor a name you can see.`,
    }
  return { code: 'ambiguous_reference', message: `names several records called ${quoted}: use the id.` }
}

async function lookUp(ctx: EntityContext, key: string, text: string): Promise<string[]> {
  const target = await modelOf(ctx, key)
  if (!target?.display || !can(ctx.actor, permissionOf(target, 'read'))) return []
  const access = await loadAccess(ctx, target)
  const display = resolveField(target.display, access.visible, false)
  if (!display) return []
  const archived =
    target.definition.archivable || target.isCustomEntity ? sql`and t.archived_at is null` : sql``
  const { rows } = await sql<{ id: string }>`
    select t.id from ${sql.table(target.table)} as t
    where lower((${valueSql(display, 't')})::text) = lower(${text}) and ${access.rows('t')} ${archived}
    limit 2`.execute(ctx.db)
  return rows.map((r) => r.id)
}
