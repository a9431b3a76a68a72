import { AMEND_ACTION, FILTER_LIMITS } from '@tessera/kernel'
import type { DocumentedEntity, EntityNames, Schema } from './openapi-schemas.ts'
import { ref } from './openapi-schemas.ts'

/** Most bulk rows one request may carry (all or nothing, in one transaction). */
export const BULK_LIMIT = 500

/** Parameters and responses every entity's operations share, under these component names. */
export const SHARED_PARAMETERS: Record<string, Schema> = {
  RecordId: {
    name: 'id',
    in: 'path',
    required: true,
    description: 'the record id (another tenant’s id answers 404)',
    schema: { type: 'string', format: 'uuid' },
  },
  Limit: {
    name: 'limit',
    in: 'query',
    description: 'records per page',
    schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
  },
  Cursor: {
    name: 'cursor',
    in: 'query',
    description: 'the `next_cursor` of the previous page (opaque)',
    schema: { type: 'string', maxLength: 4000 },
  },
  Count: {
    name: 'count',
    in: 'query',
    description: 'also count every matching record (`count` in the answer)',
    schema: { type: 'boolean', default: false },
  },
  Search: {
    name: 'q',
    in: 'query',
    description: 'quick search: records whose search fields contain this text',
    schema: { type: 'string', maxLength: 200 },
  },
  IncludeArchived: {
    name: 'include_archived',
    in: 'query',
    description: 'list archived records too',
    schema: { type: 'boolean', default: false },
  },
  IfMatch: {
    name: 'If-Match',
    in: 'header',
    description: 'the version you read (the ETag, e.g. "3"): a newer version refuses with 409',
    schema: { type: 'string', pattern: '^(W/)?"?[0-9]{1,9}"?$' },
    example: '"1"',
  },
  IdempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    description:
      'a retry with the same key returns the first answer (Idempotent-Replayed: true); the same key ' +
      'with another body is 422',
    schema: { type: 'string', minLength: 1, maxLength: 255 },
    example: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  },
}

const PROBLEM = { $ref: '#/components/schemas/Problem' }
const problem = (description: string): Schema => ({
  description,
  content: { 'application/problem+json': { schema: PROBLEM } },
})
/** Each error response by name, with its status. */
const ERRORS = {
  BadRequest: [400, 'Invalid input: `errors` names each field'],
  Unauthorized: [401, 'Not signed in'],
  Forbidden: [403, 'A permission or a field the member may not change'],
  NotFound: [404, 'No such record (or another tenant’s)'],
  Conflict: [409, 'A newer version, a duplicate unique value, or the same Idempotency-Key in flight'],
  UnprocessableEntity: [422, 'A business rule refused it (the current state, a reused Idempotency-Key)'],
  TooManyRequests: [429, 'Too many requests: retry after Retry-After seconds'],
} as const
type ErrorName = keyof typeof ERRORS
export const SHARED_RESPONSES: Record<string, Schema> = Object.fromEntries(
  Object.entries(ERRORS).map(([name, [, description]]) => [name, problem(description)]),
)
const parameter = (name: keyof typeof SHARED_PARAMETERS) => ({ $ref: `#/components/parameters/${name}` })
const errors = (...names: ErrorName[]) =>
  Object.fromEntries(names.map((name) => [ERRORS[name][0], { $ref: `#/components/responses/${name}` }]))
const json = (schema: Schema, description: string) => ({
  description,
  content: { 'application/json': { schema } },
})
/** A record answer carries its version as ETag, for the next If-Match. */
const versioned = (schema: Schema, description: string) => ({
  ...json(schema, description),
  headers: { ETag: { description: 'the record’s version, e.g. "3"', schema: { type: 'string' } } },
})

/** The REST path of an entity: custom entities live under /custom, apart from every module's. */
export function basePath(entity: DocumentedEntity): string {
  const { model } = entity
  return model.isCustomEntity ? `/api/v1/custom/${model.resource}` : `/api/v1/${model.resource}`
}

/**
 * The generic REST operations of one entity (issue 5, item 3), those the member may use: list and
 * get (read), create, update, delete, bulk create and update, and each workflow action.
 */
export function entityPaths(
  entity: DocumentedEntity,
  names: EntityNames,
  tag: string,
): Record<string, Schema> {
  const { model, allows } = entity
  const base = basePath(entity)
  const op = (action: string, operation: Schema) =>
    allows(`${model.key}:${action}`)
      ? { ...operation, tags: [tag], 'x-permission': `${model.key}:${action}` }
      : undefined
  const id = names.record.replace(/[^A-Za-z0-9]/g, '_')
  const record = versioned(ref(names.record), `The ${model.label}`)
  const query = queryParameters(entity)
  const archives = model.definition.archivable === true || model.isCustomEntity
  const paths: Record<string, Record<string, Schema | undefined>> = {
    [base]: {
      get: op('read', {
        operationId: `list${id}`,
        summary: `List ${model.pluralLabel}`,
        parameters: [
          query.filter,
          query.sort,
          query.fields,
          ...(query.include ? [query.include] : []),
          parameter('Search'),
          parameter('Limit'),
          parameter('Cursor'),
          parameter('Count'),
          ...(archives ? [parameter('IncludeArchived')] : []),
        ],
        responses: {
          200: json(ref(names.page), `A page of ${model.pluralLabel}`),
          ...errors('BadRequest', 'Unauthorized', 'Forbidden', 'TooManyRequests'),
        },
      }),
      post: op('create', {
        operationId: `create${id}`,
        summary: `Create a ${model.label}`,
        parameters: [parameter('IdempotencyKey')],
        requestBody: { required: true, content: { 'application/json': { schema: ref(names.input) } } },
        responses: {
          201: record,
          ...errors('BadRequest', 'Unauthorized', 'Forbidden', 'NotFound', 'Conflict', 'UnprocessableEntity'),
        },
      }),
    },
    [`${base}/bulk`]: {
      post: op('create', {
        operationId: `bulkCreate${id}`,
        summary: `Create up to ${BULK_LIMIT} ${model.pluralLabel}, all or none`,
        parameters: [parameter('IdempotencyKey')],
        requestBody: bulkBody(ref(names.input)),
        responses: {
          201: json(dataOf(names), `The ${model.pluralLabel}, in the order sent`),
          ...errors('BadRequest', 'Unauthorized', 'Forbidden', 'NotFound', 'Conflict', 'UnprocessableEntity'),
        },
      }),
      patch: op('update', {
        operationId: `bulkUpdate${id}`,
        summary: `Change up to ${BULK_LIMIT} ${model.pluralLabel}, all or none`,
        requestBody: bulkBody(ref(names.bulkPatch)),
        responses: {
          200: json(dataOf(names), `The ${model.pluralLabel}, in the order sent`),
          ...errors('BadRequest', 'Unauthorized', 'Forbidden', 'NotFound', 'Conflict', 'UnprocessableEntity'),
        },
      }),
    },
    [`${base}/{id}`]: {
      get: op('read', {
        operationId: `get${id}`,
        summary: `One ${model.label}`,
        parameters: [parameter('RecordId'), query.fields, ...(query.include ? [query.include] : [])],
        responses: { 200: record, ...errors('BadRequest', 'Unauthorized', 'Forbidden', 'NotFound') },
      }),
      patch: op('update', {
        operationId: `update${id}`,
        summary: `Change a ${model.label}`,
        parameters: [parameter('RecordId'), parameter('IfMatch')],
        requestBody: { required: true, content: { 'application/json': { schema: ref(names.patch) } } },
        responses: {
          200: record,
          ...errors('BadRequest', 'Unauthorized', 'Forbidden', 'NotFound', 'Conflict', 'UnprocessableEntity'),
        },
      }),
      delete: op('delete', {
        operationId: `delete${id}`,
        summary: `${archives ? 'Archive' : 'Delete'} a ${model.label}`,
        parameters: [parameter('RecordId'), parameter('IfMatch')],
        responses: {
          204: { description: archives ? 'Archived' : 'Deleted' },
          ...errors('Unauthorized', 'Forbidden', 'NotFound', 'Conflict', 'UnprocessableEntity'),
        },
      }),
    },
  }
  const action = (name: string, permission: string, summary: string, created: boolean) => {
    if (!allows(permission)) return
    paths[`${base}/{id}/actions/${name}`] = {
      post: {
        operationId: `${camel(name)}${id}`,
        summary,
        tags: [tag],
        'x-permission': permission,
        parameters: [parameter('RecordId'), parameter('IfMatch'), parameter('IdempotencyKey')],
        responses: {
          [created ? 201 : 200]: created ? versioned(ref(names.record), `The new ${model.label}`) : record,
          ...errors('Unauthorized', 'Forbidden', 'NotFound', 'Conflict', 'UnprocessableEntity'),
        },
      },
    }
  }
  for (const t of model.workflow?.transitions ?? [])
    action(
      t.name,
      t.permission ?? `${model.key}:${t.name}`,
      `${t.label ?? t.name}: ${t.from.join(' or ')} → ${t.to}`,
      false,
    )
  if (model.definition.document)
    action(AMEND_ACTION, `${model.key}:create`, 'Amend: a new draft copying a cancelled document', true)
  return Object.fromEntries(
    Object.entries(paths)
      .map(([path, item]) => [path, withoutEmpty(item)] as const)
      .filter(([, item]) => Object.keys(item).length > 0),
  )
}

function queryParameters(entity: DocumentedEntity) {
  const { model, access } = entity
  const filterable = [
    ...Object.entries(model.filter.fields)
      .filter(([name, f]) => f.filterable !== false && !access.hidden.has(name))
      .map(([name]) => name),
    ...Object.keys(model.filter.customFields ?? {})
      .map((name) => `custom.${name}`)
      .filter((name) => !access.hidden.has(name)),
  ]
  const text = filterable.find((name) => model.filter.fields[name]?.type === 'text')
  const sortable = filterable.filter((name) => {
    const type = (model.filter.fields[name] ?? model.filter.customFields?.[name.slice('custom.'.length)])
      ?.type
    return type !== 'multi_select' && type !== 'json'
  })
  const readable = [
    ...new Set([
      ...Object.keys(model.filter.fields),
      ...Object.keys(model.fields),
      ...(Object.keys(model.customFields).length > 0 ? ['custom'] : []),
    ]),
  ].filter((name) => !access.hidden.has(name))
  const includable = Object.values(model.fields)
    .filter((f) => ['reference', 'children', 'many_to_many'].includes(f.definition.type))
    .filter((f) => !access.hidden.has(f.name))
    .map((f) => f.name)
  const list = (names: string[]) => names.map((n) => `\`${n}\``).join(', ')
  return {
    filter: {
      name: 'filter',
      in: 'query',
      description:
        'Which records, in the filter language: `and`, `or`, `not`, `=`, `!=`, `<`, `<=`, `>`, `>=`, ' +
        '`in (...)`, `contains`, `starts_with`, `is null`; strings in single quotes. Fields: ' +
        `${list(filterable)} (one level through references, e.g. \`reference.name\`).`,
      schema: { type: 'string', maxLength: FILTER_LIMITS.maxLength },
      example: text ? `${text} starts_with 'Ex'` : "created_at >= '2025-01-01'",
    },
    sort: {
      name: 'sort',
      in: 'query',
      description: `Order: up to 5 field names separated by commas, \`-\` before one for descending. Fields: ${list(sortable)}.`,
      schema: { type: 'string', maxLength: 500 },
      example: model.definition.sort ?? '-created_at',
    },
    fields: {
      name: 'fields',
      in: 'query',
      description: `Only these fields (and \`id\`), separated by commas: ${list(readable)}.`,
      schema: { type: 'string', maxLength: 2000 },
      example: [model.display ?? 'id', 'updated_at'].join(','),
    },
    include:
      includable.length > 0
        ? {
            name: 'include',
            in: 'query',
            description: `Return these related records in place of their ids, separated by commas: ${list(includable)}.`,
            schema: { type: 'string', maxLength: 500 },
            example: includable[0],
          }
        : undefined,
  }
}

function bulkBody(item: Schema): Schema {
  return {
    required: true,
    content: {
      'application/json': {
        schema: {
          type: 'object',
          additionalProperties: false,
          required: ['records'],
          properties: { records: { type: 'array', minItems: 1, maxItems: BULK_LIMIT, items: item } },
        },
      },
    },
  }
}

function dataOf(names: EntityNames): Schema {
  return {
    type: 'object',
    required: ['data'],
    properties: { data: { type: 'array', items: ref(names.record) } },
  }
}

function withoutEmpty(item: Record<string, Schema | undefined>): Record<string, Schema> {
  return Object.fromEntries(Object.entries(item).filter((e): e is [string, Schema] => e[1] !== undefined))
}

const camel = (name: string) => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())
