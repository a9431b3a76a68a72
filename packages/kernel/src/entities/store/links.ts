import { sql } from 'kysely'
import type { EntityContext } from '../context.ts'
import type { EntityModel } from '../model.ts'

/** Replaces the targets of each given many-to-many field, keeping the order they were sent in. */
export async function writeLinks(
  ctx: EntityContext,
  model: EntityModel,
  recordId: string,
  links: ReadonlyMap<string, readonly string[]>,
): Promise<void> {
  for (const [field, ids] of links) {
    await sql`delete from entity_links where entity = ${model.key} and field = ${field} and record_id = ${recordId}::uuid`.execute(
      ctx.db,
    )
    if (ids.length === 0) continue
    const rows = ids.map(
      (id, i) =>
        sql`(${ctx.actor.tenantId}::uuid, ${model.key}, ${field}, ${recordId}::uuid, ${id}::uuid, ${i})`,
    )
    await sql`insert into entity_links (tenant_id, entity, field, record_id, target_id, position)
      values ${sql.join(rows)}`.execute(ctx.db)
  }
}

export async function dropLinks(ctx: EntityContext, model: EntityModel, recordId: string): Promise<void> {
  await sql`delete from entity_links where entity = ${model.key} and record_id = ${recordId}::uuid`.execute(
    ctx.db,
  )
}
