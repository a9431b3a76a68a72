import { type RawBuilder, sql } from 'kysely'
import type { Tx } from '../../db/schema.ts'
import type { EntityModel } from '../model.ts'

/**
 * Where an entity's custom values live, for the checks and clean-ups a definition change needs:
 * a code entity's table and its `custom` column, or the custom entity's rows of `records` and
 * their `data`. Every identifier comes from a validated definition; keys and values are bound.
 * Archived rows count like the others: their values come back when they are restored.
 */
export interface FieldStore {
  entity: string
  table: string
  column: 'custom' | 'data'
  isCustomEntity: boolean
}

export function storeOf(model: EntityModel): FieldStore {
  return {
    entity: model.key,
    table: model.table,
    column: model.isCustomEntity ? 'data' : 'custom',
    isCustomEntity: model.isCustomEntity,
  }
}

const rowsOf = (s: FieldStore): RawBuilder<unknown> =>
  s.isCustomEntity
    ? sql`${sql.table(s.table)} where entity = ${s.entity}`
    : sql`${sql.table(s.table)} where true`
const jsonOf = (s: FieldStore, key: string) => sql`${sql.ref(s.column)} -> ${key}::text`
const textOf = (s: FieldStore, key: string) => sql`${sql.ref(s.column)} ->> ${key}::text`
/**
 * A value as `unique_values` holds it, the store's uniqueText in SQL: text trimmed and
 * lower-cased (`ACME` and `acme` are one value), anything else as JSON; null for no value.
 */
const uniqueTextOf = (s: FieldStore, key: string) => sql`(case jsonb_typeof(${jsonOf(s, key)})
    when 'string' then nullif(lower(btrim(${textOf(s, key)}, E' \t\n\r\f\v')), '')
    when 'null' then null
    else (${jsonOf(s, key)})::text end)`

export async function countRows(trx: Tx, s: FieldStore): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${rowsOf(s)}`.execute(trx)
  return rows[0]?.n ?? 0
}

/** How many rows have no value for the field: absent, null, empty text or an empty list. */
export async function countMissing(trx: Tx, s: FieldStore, key: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from ${rowsOf(s)}
      and (${jsonOf(s, key)} is null or ${jsonOf(s, key)} in ('null', '""', '[]'))
      and not exists (
        select 1 from entity_links l
        where l.entity = ${s.entity} and l.field = ${key} and l.record_id = ${sql.table(s.table)}.id)`.execute(
    trx,
  )
  return rows[0]?.n ?? 0
}

/** A value that two rows share, if any. */
export async function firstDuplicate(trx: Tx, s: FieldStore, key: string): Promise<string | undefined> {
  const { rows } = await sql<{ value: string }>`
    select ${uniqueTextOf(s, key)} as value from ${rowsOf(s)} and ${uniqueTextOf(s, key)} is not null
    group by 1 having count(*) > 1 order by 1 limit 1`.execute(trx)
  return rows[0]?.value
}

/**
 * Claims the field's existing values in `unique_values` (the store claims new ones on write), so
 * the primary key there refuses a second record with the same value from now on.
 */
export async function claimUniqueValues(trx: Tx, s: FieldStore, key: string): Promise<void> {
  await sql`
    insert into unique_values (tenant_id, entity, field, value, record_id)
    select tenant_id, ${s.entity}, ${key}, ${uniqueTextOf(s, key)}, id from ${rowsOf(s)}
      and ${uniqueTextOf(s, key)} is not null`.execute(trx)
}

export async function releaseUniqueValues(trx: Tx, entity: string, key: string): Promise<void> {
  await sql`delete from unique_values where entity = ${entity} and field = ${key}`.execute(trx)
}

/** The first of `options` that a row holds (as a select's value or in a multi-select's list). */
export async function optionInUse(
  trx: Tx,
  s: FieldStore,
  key: string,
  options: readonly string[],
): Promise<string | undefined> {
  if (options.length === 0) return undefined
  const { rows } = await sql<{ opt: string }>`
    select o.opt from unnest(${[...options]}::text[]) with ordinality as o(opt, n)
    where exists (
      select 1 from ${rowsOf(s)}
        and (${textOf(s, key)} = o.opt
          or (jsonb_typeof(${jsonOf(s, key)}) = 'array' and ${jsonOf(s, key)} ? o.opt)))
    order by o.n limit 1`.execute(trx)
  return rows[0]?.opt
}

/** Gives every row without a value the default (a new required field on an entity with rows). */
export async function fillDefault(trx: Tx, s: FieldStore, key: string, value: unknown): Promise<void> {
  await sql`
    update ${sql.table(s.table)} set ${sql.ref(s.column)} =
      ${sql.ref(s.column)} || jsonb_build_object(${key}::text, ${JSON.stringify(value)}::jsonb)
    where ${s.isCustomEntity ? sql`entity = ${s.entity}` : sql`true`}
      and (${jsonOf(s, key)} is null or ${jsonOf(s, key)} = 'null')`.execute(trx)
}

/** Erases the field's values from every row, and its links: what purging a removed field means. */
export async function eraseValues(trx: Tx, s: FieldStore, key: string): Promise<void> {
  await sql`
    update ${sql.table(s.table)} set ${sql.ref(s.column)} = ${sql.ref(s.column)} - ${key}::text
    where ${s.isCustomEntity ? sql`entity = ${s.entity}` : sql`true`} and ${sql.ref(s.column)} ? ${key}::text`.execute(
    trx,
  )
  await sql`delete from entity_links where entity = ${s.entity} and field = ${key}`.execute(trx)
  await releaseUniqueValues(trx, s.entity, key)
}

/** Records of a custom entity whose state is not among `states`: the first such state. */
export async function stateInUse(
  trx: Tx,
  entity: string,
  states: readonly string[],
): Promise<string | undefined> {
  const { rows } = await sql<{ state: string }>`
    select state from records where entity = ${entity} and state is not null
      and not (state = any (${[...states]}::text[]))
    order by state limit 1`.execute(trx)
  return rows[0]?.state
}

/** Records of a custom entity that gains a workflow start in its initial state. */
export async function setInitialState(trx: Tx, entity: string, initial: string): Promise<void> {
  await sql`update records set state = ${initial} where entity = ${entity} and state is null`.execute(trx)
}
