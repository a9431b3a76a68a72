import { sql } from 'kysely'
import type { Tx } from '../../db/schema.ts'
import type { CustomEntityRow, CustomFieldRow } from '../custom-definitions.ts'

/** Rows of custom_fields and custom_entities as the metadata API reads and locks them. */

export interface StoredField extends CustomFieldRow {
  created_at: Date
  updated_at: Date
}

export interface StoredEntity extends CustomEntityRow {
  created_at: Date
  updated_at: Date
}

const FIELD_COLUMNS = sql`id, entity, key, type, label, definition, position, removed_at, version,
  created_at, updated_at`
const ENTITY_COLUMNS = sql`id, key, resource, label, plural_label, description, display_field,
  company_scoped, workflow, layout, version, created_at, updated_at`

/** The entity's custom fields, removed ones included, in form order. */
export async function storedFields(trx: Tx, entity: string): Promise<StoredField[]> {
  const { rows } = await sql<StoredField>`
    select ${FIELD_COLUMNS} from custom_fields where entity = ${entity} order by position, key`.execute(trx)
  return rows
}

/** One custom field; `lock` holds it until the transaction ends, so changes to it queue up. */
export async function storedField(
  trx: Tx,
  entity: string,
  key: string,
  lock = false,
): Promise<StoredField | undefined> {
  const { rows } = await sql<StoredField>`
    select ${FIELD_COLUMNS} from custom_fields where entity = ${entity} and key = ${key}
    ${lock ? sql`for update` : sql``}`.execute(trx)
  return rows[0]
}

export async function storedEntities(trx: Tx): Promise<StoredEntity[]> {
  const { rows } =
    await sql<StoredEntity>`select ${ENTITY_COLUMNS} from custom_entities order by key`.execute(trx)
  return rows
}

export async function storedEntity(
  trx: Tx,
  by: { key: string } | { resource: string },
  lock = false,
): Promise<StoredEntity | undefined> {
  const where = 'key' in by ? sql`key = ${by.key}` : sql`resource = ${by.resource}`
  const { rows } = await sql<StoredEntity>`
    select ${ENTITY_COLUMNS} from custom_entities where ${where} ${lock ? sql`for update` : sql``}`.execute(
    trx,
  )
  return rows[0]
}

/** Advisory lock class for definition changes; the second key is the tenant and entity. */
const DEFINITION_LOCK = 7_371_611

/**
 * Serialises definition changes of one entity within the tenant (two admins adding fields, a
 * field added while another is purged), so each change checks the rows as the other left them.
 */
export async function lockDefinition(trx: Tx, entity: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(${DEFINITION_LOCK},
    hashtext(current_setting('app.tenant_id', true) || ${entity}))`.execute(trx)
}
