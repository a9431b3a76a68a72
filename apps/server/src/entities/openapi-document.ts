import { entityPaths, SHARED_PARAMETERS, SHARED_RESPONSES } from './openapi-paths.ts'
import {
  bulkPatchSchema,
  type DocumentedEntity,
  type EntityNames,
  inputSchema,
  lineChangeSchema,
  pageSchema,
  recordSchema,
  type Schema,
  type SchemaCatalog,
} from './openapi-schemas.ts'

/** The parts of an OpenAPI 3.1 document the entity generator reads and writes. */
export interface OpenApiDocument {
  openapi: string
  info: Schema
  paths?: Record<string, Schema>
  components?: {
    schemas?: Record<string, Schema>
    parameters?: Record<string, Schema>
    responses?: Record<string, Schema>
  } & Schema
  tags?: { name: string; description?: string }[]
  [key: string]: unknown
}

/** The generated part: entity paths and the components they name. */
export interface EntityDocument {
  paths: Record<string, Schema>
  schemas: Record<string, Schema>
  parameters: Record<string, Schema>
  responses: Record<string, Schema>
  tags: { name: string; description: string }[]
}

export interface EntityDocumentInput {
  /** the entities with REST resources the member may read */
  entities: readonly DocumentedEntity[]
  /** line entities (`childOf`): schemas for their parents' `children` fields, no paths of their own */
  lines: readonly DocumentedEntity[]
  /** component schema and tag names the rest of the document already uses */
  taken?: { schemas?: Iterable<string>; tags?: Iterable<string> }
}

/**
 * The OpenAPI paths and schemas of a tenant's entities as one member sees them (issue 5, item 7):
 * `<Name>` (a record), `<Name>Input` (POST), `<Name>Patch` (PATCH), `<Name>BulkPatch` and
 * `<Name>Page` for each entity, named from its key (`custom.patient` → `CustomPatient`). A line
 * entity gets `<Name>` and `<Name>Input`, and `<Name>Patch` for an existing line (with its id).
 */
export function entityDocument({ entities, lines, taken = {} }: EntityDocumentInput): EntityDocument {
  const all = [...entities, ...lines]
  const names = allocateNames(
    all.map((e) => e.model.key),
    new Set(taken.schemas ?? []),
  )
  const byKey = new Map(all.map((e) => [e.model.key, e]))
  const setByParent = new Map<string, Set<string>>()
  for (const { model } of all)
    for (const field of Object.values(model.fields)) {
      const { type, target, inverse } = field.definition
      if (type !== 'children' || !target || !inverse) continue
      setByParent.set(target, (setByParent.get(target) ?? new Set()).add(inverse))
    }
  const catalog: SchemaCatalog = {
    entry(key) {
      const entity = byKey.get(key)
      const entityNames = names.get(key)
      return entity && entityNames ? { entity, names: entityNames } : undefined
    },
    setByParent: (key) => setByParent.get(key) ?? new Set(),
  }

  const document: EntityDocument = {
    paths: {},
    schemas: {},
    parameters: SHARED_PARAMETERS,
    responses: SHARED_RESPONSES,
    tags: [],
  }
  const tagNames = new Set(taken.tags ?? [])
  const labelCount = countBy(entities.map((e) => e.model.pluralLabel))
  for (const entity of all) {
    const n = names.get(entity.model.key) as EntityNames
    document.schemas[n.record] = recordSchema(entity, catalog)
    document.schemas[n.input] = inputSchema(entity, catalog, 'create')
  }
  for (const line of lines) {
    const n = names.get(line.model.key) as EntityNames
    document.schemas[n.patch] = lineChangeSchema(line, catalog)
  }
  for (const entity of entities) {
    const { model } = entity
    const n = names.get(model.key) as EntityNames
    document.schemas[n.patch] = inputSchema(entity, catalog, 'patch')
    document.schemas[n.bulkPatch] = bulkPatchSchema(entity, catalog)
    document.schemas[n.page] = pageSchema(n, model.label)
    const unique = (labelCount.get(model.pluralLabel) ?? 0) === 1 && !tagNames.has(model.pluralLabel)
    const tag = unique ? model.pluralLabel : `${model.pluralLabel} (${model.key})`
    tagNames.add(tag)
    document.tags.push({
      name: tag,
      description: `${model.pluralLabel}: the ${model.isCustomEntity ? 'tenant-defined ' : ''}entity ${model.key}`,
    })
    Object.assign(document.paths, entityPaths(entity, n, tag))
  }
  return document
}

/**
 * The base document with the entity part added, without changing either (the base is the
 * server's shared static document). Entity paths replace a base path's operations of the same
 * method, so the generator stays the one description of entity routes.
 */
export function withEntities(base: OpenApiDocument, extra: EntityDocument): OpenApiDocument {
  const components = base.components ?? {}
  const paths: Record<string, Schema> = { ...base.paths }
  for (const [path, item] of Object.entries(extra.paths)) paths[path] = { ...paths[path], ...item }
  return {
    ...base,
    tags: [...(base.tags ?? []), ...extra.tags],
    paths,
    components: {
      ...components,
      schemas: { ...components.schemas, ...extra.schemas },
      parameters: disjoint('parameters', components.parameters, extra.parameters),
      responses: disjoint('responses', components.responses, extra.responses),
    },
  }
}

/** `Partners` + `Partner` from `partners.partner`; `SalesOrderLine` from `sales.order_line`. */
export function schemaBaseName(key: string): string {
  return key
    .split(/[._]/)
    .filter((part) => part !== '')
    .map((part) => part[0]?.toUpperCase() + part.slice(1))
    .join('')
}

const namesFrom = (base: string, separator: string): EntityNames => ({
  record: base,
  input: `${base}${separator}Input`,
  patch: `${base}${separator}Patch`,
  bulkPatch: `${base}${separator}BulkPatch`,
  page: `${base}${separator}Page`,
})

/**
 * Readable names for every key; a key whose names another key or the base document also makes
 * (`a.b_c` and `a_b.c`, or `x.y` and `x.y_input`) is named by its key itself (`a.b_c`,
 * `a.b_c.Input`), which nothing else can be: keys are unique and PascalCase names have no dot.
 */
function allocateNames(keys: readonly string[], taken: ReadonlySet<string>): Map<string, EntityNames> {
  const readable = new Map(keys.map((key) => [key, namesFrom(schemaBaseName(key), '')]))
  const count = countBy([...readable.values()].flatMap((n) => Object.values(n)))
  return new Map(
    keys.map((key) => {
      const n = readable.get(key) as EntityNames
      const clash = Object.values(n).some((name) => (count.get(name) ?? 0) > 1 || taken.has(name))
      return [key, clash ? namesFrom(key, '.') : n]
    }),
  )
}

function countBy(values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1)
  return counts
}

/** Shared components must not shadow the base document's: a clash is a programming error. */
function disjoint(
  kind: string,
  base: Record<string, Schema> | undefined,
  extra: Record<string, Schema>,
): Record<string, Schema> {
  const clash = Object.keys(extra).find((name) => base?.[name] !== undefined && base[name] !== extra[name])
  if (clash) throw new Error(`OpenAPI: the entity generator and the routes both define ${kind} "${clash}".`)
  return { ...base, ...extra }
}
