import { type EntityModel, type FieldAccess, type FieldModel, isInput, valueSchema } from '@tessera/kernel'
import { EXAMPLE_DATETIME, EXAMPLE_ID, EXAMPLE_USER_ID, exampleOf } from './openapi-examples.ts'

export type Schema = Record<string, unknown>

/** The component schema names of one entity. */
export interface EntityNames {
  /** a record as the API returns it */
  record: string
  /** the body of POST */
  input: string
  /** the body of PATCH */
  patch: string
  /** one row of a bulk PATCH: the patch with its id and version */
  bulkPatch: string
  /** a page of the list */
  page: string
}

/** An entity as one member sees it: its model for the tenant and the member's field masks. */
export interface DocumentedEntity {
  model: EntityModel
  access: FieldAccess
  /** whether the member holds the permission (operations they cannot use are left out) */
  allows(permission: string): boolean
}

/** What one entity's schemas need to know about the others in the document. */
export interface SchemaCatalog {
  /** a documented entity or line, undefined when the member cannot read it */
  entry(key: string): { entity: DocumentedEntity; names: EntityNames } | undefined
  /** the fields of a line its parent sets (the inverse references of the parent's children field) */
  setByParent(key: string): ReadonlySet<string>
}

export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` })
const UUID: Schema = { type: 'string', format: 'uuid' }
const nullable = (schema: Schema): Schema => ({ anyOf: [schema, { type: 'null' }] })

/** What a record of the entity looks like in responses: every readable field, `id` always. */
export function recordSchema(entry: DocumentedEntity, catalog: SchemaCatalog): Schema {
  const { model, access } = entry
  const properties: Record<string, Schema> = {
    id: { ...UUID, description: 'the record id (UUIDv7)', examples: [EXAMPLE_ID] },
  }
  for (const field of visible(model.fields, access, '')) properties[field.name] = outputSchema(field, catalog)
  if (hasCustomColumn(model)) {
    const custom = visible(model.customFields, access, 'custom.')
    const customProperties = Object.fromEntries(custom.map((f) => [f.name, outputSchema(f, catalog)]))
    properties.custom = {
      type: 'object',
      description: "the tenant's custom fields of this entity",
      properties: customProperties,
      examples: [exampleObject(customProperties)],
    }
  }
  for (const [name, schema] of Object.entries(standardColumns(model)))
    if (!access.hidden.has(name)) properties[name] = schema
  return {
    type: 'object',
    title: model.label,
    description:
      `A ${model.label} (${model.key}). Fields left out of \`fields=\` or hidden from the member are ` +
      'absent; references and many-to-many fields carry ids, or the records when named in `include=`, ' +
      'which also lists the lines.',
    required: ['id'],
    properties,
    examples: [exampleObject(properties)],
  }
}

/**
 * The body of POST: the fields the member may write, required ones required, nothing else
 * (the server refuses unknown properties). A line leaves out the reference its parent sets.
 */
export function inputSchema(
  entry: DocumentedEntity,
  catalog: SchemaCatalog,
  mode: 'create' | 'patch',
): Schema {
  const { model } = entry
  const skip = catalog.setByParent(model.key)
  const fields = writable(model.fields, entry, '').filter((f) => !skip.has(f.name))
  const properties: Record<string, Schema> = Object.fromEntries(
    fields.map((f) => [f.name, inputProperty(f, catalog, mode)]),
  )
  const required = mode === 'create' ? fields.filter(isRequired).map((f) => f.name) : []
  const custom = hasCustomColumn(model) ? writable(model.customFields, entry, 'custom.') : []
  if (custom.length > 0) {
    const customRequired = mode === 'create' ? custom.filter(isRequired).map((f) => f.name) : []
    const customProperties = Object.fromEntries(custom.map((f) => [f.name, inputProperty(f, catalog, mode)]))
    properties.custom = {
      type: 'object',
      description: "the tenant's custom fields of this entity",
      additionalProperties: false,
      properties: customProperties,
      ...(customRequired.length > 0 ? { required: customRequired } : {}),
      examples: [exampleObject(customProperties)],
    }
    if (customRequired.length > 0) required.push('custom')
  }
  if (mode === 'create' && model.definition.companyScoped && !entry.access.hidden.has('company_id'))
    properties.company_id = {
      ...UUID,
      description: "the record's company; the member's current company when absent",
      examples: [EXAMPLE_ID],
    }
  const example = exampleObject(properties)
  return {
    type: 'object',
    title: `${model.label} (${mode === 'create' ? 'new' : 'changes'})`,
    description:
      mode === 'create'
        ? `A new ${model.label}.`
        : `Changes to a ${model.label}: only the fields sent change; null clears an optional field.`,
    additionalProperties: false,
    properties,
    ...(required.length > 0 ? { required } : {}),
    examples: [mode === 'create' ? example : firstEntry(example)],
  }
}

/** One row of a bulk PATCH: the changes of one record, named by id, optionally at a version. */
export function bulkPatchSchema(entry: DocumentedEntity, catalog: SchemaCatalog): Schema {
  return withId(entry, inputSchema(entry, catalog, 'patch'), {
    version: {
      type: 'integer',
      minimum: 1,
      description: 'refused with 409 unless it is the current version',
    },
  })
}

/** An existing line in its parent's PATCH: its id and the fields that change. */
export function lineChangeSchema(entry: DocumentedEntity, catalog: SchemaCatalog): Schema {
  return withId(entry, inputSchema(entry, catalog, 'patch'), {})
}

function withId(entry: DocumentedEntity, patch: Schema, extra: Record<string, Schema>): Schema {
  const changes = patch.properties as Record<string, Schema>
  return {
    ...patch,
    title: `${entry.model.label} (changes, by id)`,
    properties: { id: { ...UUID, examples: [EXAMPLE_ID] }, ...extra, ...changes },
    required: ['id'],
    examples: [{ id: EXAMPLE_ID, ...firstEntry(exampleObject(changes)) }],
  }
}

/** A page of records: `next_cursor` fetches the next one; `count` only with `count=true`. */
export function pageSchema(names: EntityNames, label: string): Schema {
  return {
    type: 'object',
    title: `${label} (page)`,
    required: ['data', 'next_cursor'],
    properties: {
      data: { type: 'array', items: ref(names.record) },
      next_cursor: {
        anyOf: [{ type: 'string' }, { type: 'null' }],
        description: 'pass as `cursor` for the next page; null on the last page',
      },
      count: { type: 'integer', minimum: 0, description: 'all matching records (with `count=true`)' },
    },
  }
}

function outputSchema(field: FieldModel, catalog: SchemaCatalog): Schema {
  const d = field.definition
  const target = d.target ? catalog.entry(d.target) : undefined
  const expanded = target
    ? ref(target.names.record)
    : { type: 'object', required: ['id'], properties: { id: UUID } }
  if (d.type === 'reference') return annotate(nullable({ anyOf: [UUID, expanded] }), field)
  if (d.type === 'many_to_many') return annotate({ type: 'array', items: { anyOf: [UUID, expanded] } }, field)
  if (d.type === 'children')
    return annotate({ type: 'array', items: target ? ref(target.names.record) : { type: 'object' } }, field)
  return annotate(nullable(valueSchema(d)), field)
}

function inputProperty(field: FieldModel, catalog: SchemaCatalog, mode: 'create' | 'patch'): Schema {
  const d = field.definition
  if (d.type === 'children') {
    const line = d.target ? catalog.entry(d.target) : undefined
    const items = !line
      ? { type: 'object' }
      : mode === 'create'
        ? ref(line.names.input)
        : { anyOf: [ref(line.names.input), ref(line.names.patch)] }
    const description =
      mode === 'create'
        ? 'the lines'
        : 'the lines, replacing the current ones: a line with an id changes it, one without is added, one not sent is deleted'
    const schema = { type: 'array', maxItems: 1000, items, description }
    return annotate(schema, field, line ? [lineExample(line.entity, catalog)] : undefined)
  }
  // null leaves an optional field empty; a required one can never be cleared
  return annotate(d.required ? valueSchema(d) : nullable(valueSchema(d)), field)
}

/** One line as its parent's POST sends it. */
function lineExample(line: DocumentedEntity, catalog: SchemaCatalog): Record<string, unknown> {
  const skip = catalog.setByParent(line.model.key)
  const fields = writable(line.model.fields, line, '').filter(
    (f) => !skip.has(f.name) && f.definition.type !== 'children',
  )
  return Object.fromEntries(
    fields.flatMap((f) => {
      const value = exampleOf(f.name, f.definition)
      return value === undefined ? [] : [[f.name, value]]
    }),
  )
}

/**
 * Title, description and one example on a property: on the outermost schema, so a null wrapper
 * keeps them (and the example of valueSchema gives way to one within the field's bounds).
 */
function annotate(
  schema: Schema,
  field: FieldModel,
  value: unknown = exampleOf(field.name, field.definition),
): Schema {
  const d = field.definition
  const { examples: _generic, ...rest } = schema
  return {
    ...rest,
    ...(d.label ? { title: d.label } : {}),
    ...(d.description ? { description: d.description } : {}),
    ...(value !== undefined ? { examples: [value] } : {}),
  }
}

/** The standard columns the record carries (DESIGN.md, data conventions). */
function standardColumns(model: EntityModel): Record<string, Schema> {
  const d = model.definition
  const at = (description: string): Schema => ({
    type: 'string',
    format: 'date-time',
    description,
    examples: [EXAMPLE_DATETIME],
  })
  const by = (description: string): Schema => ({
    ...nullable(UUID),
    description,
    examples: [EXAMPLE_USER_ID],
  })
  return {
    created_at: at('when the record was created'),
    updated_at: at('when the record last changed'),
    created_by: by('the user who created it'),
    updated_by: by('the user who last changed it'),
    version: {
      type: 'integer',
      minimum: 1,
      description: 'grows with every change; send it as If-Match to change this version only',
      examples: [1],
    },
    ...(d.archivable || model.isCustomEntity
      ? {
          archived_at: {
            ...nullable({ type: 'string', format: 'date-time' }),
            description: 'when the record was archived (DELETE archives); null while active',
            examples: [null],
          },
        }
      : {}),
    ...(d.companyScoped
      ? {
          company_id: {
            ...nullable(UUID),
            description: 'the company the record belongs to',
            examples: [EXAMPLE_ID],
          },
        }
      : {}),
    ...(model.workflow
      ? {
          state: {
            type: 'string',
            enum: model.workflow.states.map((s) => s.key),
            description: 'the workflow state, changed only by actions',
            examples: [model.workflow.initial],
          },
        }
      : {}),
    ...(d.document
      ? {
          number: {
            ...nullable({ type: 'string' }),
            description: 'assigned on submit from a gapless sequence; null while a draft',
            examples: [null],
          },
          amended_from: {
            ...nullable(UUID),
            description: 'the cancelled document this one amends',
            examples: [null],
          },
        }
      : {}),
  }
}

/** A code entity keeps tenant-defined fields under `custom` (a custom entity's fields are its own). */
function hasCustomColumn(model: EntityModel): boolean {
  return !model.isCustomEntity && model.definition.customizable !== false
}

function visible(
  fields: Readonly<Record<string, FieldModel>>,
  access: FieldAccess,
  prefix: string,
): FieldModel[] {
  return Object.values(fields).filter((f) => !access.hidden.has(`${prefix}${f.name}`))
}

function writable(
  fields: Readonly<Record<string, FieldModel>>,
  entry: DocumentedEntity,
  prefix: string,
): FieldModel[] {
  return visible(fields, entry.access, prefix).filter(
    (f) => isInput(f.definition) && !entry.access.readOnly.has(`${prefix}${f.name}`),
  )
}

const isRequired = (field: FieldModel) =>
  field.definition.required === true && field.definition.default === undefined

/** An object of the properties' first examples. */
function exampleObject(properties: Schema): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(properties as Record<string, Schema>).flatMap(([name, schema]) => {
      const examples = schema.examples
      return Array.isArray(examples) && examples.length > 0 ? [[name, examples[0]]] : []
    }),
  )
}

/** A PATCH example changes one field. */
function firstEntry(example: Record<string, unknown>): Record<string, unknown> {
  const first = Object.entries(example)[0]
  return first ? { [first[0]]: first[1] } : {}
}
