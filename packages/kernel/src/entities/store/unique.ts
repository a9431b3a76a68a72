import { sql } from 'kysely'
import { Conflict } from '../../errors/errors.ts'
import type { EntityContext } from '../context.ts'
import type { EntityModel, FieldModel } from '../model.ts'

/**
 * Unique fields kept in jsonb (custom fields, custom entities' fields) hold their values in
 * `unique_values` too, whose primary key refuses a duplicate even between concurrent writes.
 */
export async function claimUniqueValues(
  ctx: EntityContext,
  model: EntityModel,
  recordId: string,
  values: Readonly<Record<string, unknown>>,
  custom: boolean,
): Promise<void> {
  const fields = Object.values(custom ? model.customFields : model.fields).filter(
    (f) => f.definition.unique && f.storage.kind === 'json' && Object.hasOwn(values, f.name),
  )
  for (const field of fields) {
    await sql`delete from unique_values where entity = ${model.key} and field = ${field.name} and record_id = ${recordId}::uuid`.execute(
      ctx.db,
    )
    const value = values[field.name]
    if (value === null || value === undefined || value === '') continue
    // a concurrent claim of the same value waits for the other transaction, then finds it taken
    const { rows } = await sql`insert into unique_values (tenant_id, entity, field, value, record_id)
      values (${ctx.actor.tenantId}::uuid, ${model.key}, ${field.name}, ${uniqueText(value)}, ${recordId}::uuid)
      on conflict do nothing returning record_id`.execute(ctx.db)
    if (rows.length === 0) throw duplicate(field, custom)
  }
}

/** Text compares case-insensitively for uniqueness: `ACME` and `acme` are the same reference. */
function uniqueText(value: unknown): string {
  return typeof value === 'string' ? value.trim().toLowerCase() : JSON.stringify(value)
}

export function duplicate(field: FieldModel, custom: boolean): Conflict {
  const name = custom ? `custom.${field.name}` : field.name
  const message = `${name}: another record already has this value.`
  return new Conflict(message, 'duplicate', [{ field: name, code: 'duplicate', message }])
}

/** A code entity's unique column violated: the index is named `<table>_<column>_unique`. */
export function uniqueColumnConflict(model: EntityModel, err: unknown): Conflict | undefined {
  const e = err as { code?: string; constraint?: string }
  if (e.code !== '23505' || !e.constraint) return undefined
  const field = Object.values(model.fields).find(
    (f) => f.storage.kind === 'column' && e.constraint === `${model.table}_${f.storage.column}_unique`,
  )
  return field ? duplicate(field, false) : undefined
}

/** A deleted record frees its unique values. */
export async function releaseUniqueValues(
  ctx: EntityContext,
  model: EntityModel,
  recordId: string,
): Promise<void> {
  await sql`delete from unique_values where entity = ${model.key} and record_id = ${recordId}::uuid`.execute(
    ctx.db,
  )
}
