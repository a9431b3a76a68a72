import type { Tx } from '../../db/schema.ts'
import { Invalid } from '../../errors/errors.ts'
import type { EntityMetadata } from '../../filters/metadata.ts'
import { companyEntity, memberEntity } from './kernel-entities.ts'

/**
 * An entity's metadata as access control needs it: fixed (code-defined fields) or read per
 * tenant (custom fields, tenant-defined options), always inside the request's transaction.
 */
export type EntityMetadataSource = EntityMetadata | ((trx: Tx) => Promise<EntityMetadata>)

/** Entities the registry does not hold by key, e.g. a tenant's custom entities stored as data. */
export type EntityMetadataResolver = (trx: Tx, key: string) => Promise<EntityMetadata | undefined>

export const ENTITY_KEY = /^[a-z][a-z0-9_]{0,39}\.[a-z][a-z0-9_]{0,62}$/

const entities = new Map<string, EntityMetadataSource>([
  ['kernel.company', companyEntity],
  ['kernel.member', memberEntity],
])
const resolvers: EntityMetadataResolver[] = []

/**
 * Makes an entity known to access control: record and field rules can then be saved for it and
 * applied to it. One registration per key: a second one is a bug (two modules claiming one entity).
 */
export function registerEntityMetadata(key: string, source: EntityMetadataSource): void {
  if (!ENTITY_KEY.test(key)) throw new Error(`access: ${JSON.stringify(key)} is not an entity key`)
  if (entities.has(key)) throw new Error(`access: the entity ${key} is already registered`)
  if (typeof source !== 'function' && source.name !== key)
    throw new Error(`access: the metadata registered as ${key} is named ${source.name}`)
  entities.set(key, source)
}

/** Asked, in order, for keys that are not registered: how tenant-defined entities join in. */
export function registerEntityResolver(resolver: EntityMetadataResolver): void {
  resolvers.push(resolver)
}

export function registeredEntityKeys(): string[] {
  return [...entities.keys()].sort()
}

/** The entity's metadata in the transaction's tenant, or undefined when no entity has this key. */
export async function entityMetadata(trx: Tx, key: string): Promise<EntityMetadata | undefined> {
  if (!ENTITY_KEY.test(key)) return undefined
  const source = entities.get(key)
  if (source) return typeof source === 'function' ? source(trx) : source
  for (const resolve of resolvers) {
    const found = await resolve(trx, key)
    if (found) return found
  }
  return undefined
}

/** The entity's metadata, or 400 naming `field` (the input that named the entity). */
export async function requireEntity(trx: Tx, key: string, field = 'entity'): Promise<EntityMetadata> {
  const meta = await entityMetadata(trx, key)
  if (!meta)
    throw Invalid.field(field, `There is no entity ${JSON.stringify(key.slice(0, 100))}.`, 'unknown_entity')
  return meta
}

/** Every field a field rule may name: the columns, and custom fields as `custom.<key>`. */
export function fieldNamesOf(meta: EntityMetadata): string[] {
  const custom = Object.keys(meta.customFields ?? {}).map((key) => `custom.${key}`)
  return [...Object.keys(meta.fields), ...custom]
}

/** The field naming a record: it can be neither hidden nor read-only, or records could not be told apart. */
export function keyFieldOf(meta: EntityMetadata): string {
  const key = meta.key ?? 'id'
  return Object.entries(meta.fields).find(([, field]) => field.column === key)?.[0] ?? key
}
