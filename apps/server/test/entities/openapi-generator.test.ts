import { lintSpec } from '@tessera/api-client'
import type {
  ColumnFieldMetadata,
  EntityDefinition,
  EntityModel,
  FieldAccess,
  FieldDefinition,
  FieldModel,
} from '@tessera/kernel'
import { filterTypeOf } from '@tessera/kernel'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import { describe, expect, it } from 'vitest'
import {
  entityDocument,
  type OpenApiDocument,
  schemaBaseName,
  withEntities,
} from '../../src/entities/openapi-document.ts'
import type { DocumentedEntity, Schema } from '../../src/entities/openapi-schemas.ts'
import { ProblemSchema } from '../../src/problem.ts'

/**
 * The OpenAPI generator on hand-built entity models: no database, no routes. What a tenant's
 * document says about each field type, custom fields, masks, rights and workflows, and that the
 * whole is a valid OpenAPI 3.1 document whose every example fits its schema.
 */

/** A model as loadModel would build it, from a definition and the tenant's custom fields. */
function modelOf(
  definition: EntityDefinition,
  options: { customEntity?: boolean; customFields?: Record<string, FieldDefinition> } = {},
): EntityModel {
  const isCustomEntity = options.customEntity ?? false
  const fieldModel = (name: string, field: FieldDefinition, custom: boolean): FieldModel => ({
    name,
    definition: field,
    custom,
    storage:
      custom || isCustomEntity
        ? { kind: 'json', column: custom ? 'custom' : 'data', key: name }
        : { kind: 'column', column: name },
  })
  const fields = Object.fromEntries(
    Object.entries(definition.fields).map(([n, f]) => [n, fieldModel(n, f, false)]),
  )
  const customFields = Object.fromEntries(
    Object.entries(options.customFields ?? {}).map(([n, f]) => [n, fieldModel(n, f, true)]),
  )
  const filterable = (entries: [string, FieldDefinition][]) =>
    Object.fromEntries(
      entries.flatMap(([n, f]) => {
        const type = filterTypeOf(f)
        return type ? [[n, { column: n, type, ...(f.options ? { options: f.options } : {}) }]] : []
      }),
    ) as Record<string, ColumnFieldMetadata>
  return {
    key: definition.key,
    definition,
    isCustomEntity,
    table: isCustomEntity ? 'records' : definition.table,
    resource: definition.resource,
    label: definition.label,
    pluralLabel: definition.pluralLabel ?? `${definition.label}s`,
    fields,
    customFields,
    removedCustomFields: [],
    workflow: definition.workflow,
    display: definition.display,
    filter: {
      name: definition.key,
      table: definition.table,
      fields: {
        id: { column: 'id', type: 'uuid' },
        created_at: { column: 'created_at', type: 'datetime' },
        ...filterable(Object.entries(definition.fields)),
      },
      customFields: filterable(Object.entries(options.customFields ?? {})),
    },
  }
}

const open: FieldAccess = { hidden: new Set(), readOnly: new Set() }
const everything = (model: EntityModel, access = open): DocumentedEntity => ({
  model,
  access,
  allows: () => true,
})

const gadget = modelOf(
  {
    key: 'shop.gadget',
    label: 'Gadget',
    table: 'shop_gadgets',
    resource: 'gadgets',
    companyScoped: true,
    archivable: true,
    sort: 'name',
    display: 'name',
    fields: {
      name: { type: 'text', label: 'Name', required: true, maxLength: 100, description: 'what it is called' },
      code: { type: 'text', label: 'Code', pattern: '^[A-Z]{3}-[0-9]{3}$' },
      quantity: { type: 'integer', label: 'Quantity', min: 0, max: 10 },
      weight: { type: 'decimal', label: 'Weight', scale: 3, min: '0.001', max: '0.005' },
      price: { type: 'money', label: 'Price', min: 0 },
      active: { type: 'boolean', label: 'Active', required: true, default: false },
      released_on: { type: 'date', label: 'Released on' },
      checked_at: { type: 'datetime', label: 'Checked at' },
      category: { type: 'select', label: 'Category', options: ['tool', 'toy'], required: true },
      labels: { type: 'multi_select', label: 'Labels', options: ['new', 'sale', 'eco'] },
      website: { type: 'url', label: 'Website' },
      contact: { type: 'email', label: 'Contact' },
      phone: { type: 'phone', label: 'Phone' },
      notes: { type: 'long_text', label: 'Notes', minLength: 20 },
      maker: { type: 'reference', label: 'Maker', target: 'shop.maker' },
      rival: { type: 'reference', label: 'Rival', target: 'elsewhere.thing' },
      tags: { type: 'many_to_many', label: 'Tags', target: 'shop.maker' },
      manual: { type: 'file', label: 'Manual' },
      specs: { type: 'json', label: 'Specs' },
      total: { type: 'computed', label: 'Total', returns: 'decimal', compute: () => '1' },
      secret: { type: 'text', label: 'Secret' },
      approved_by: { type: 'text', label: 'Approved by' },
      parts: { type: 'children', label: 'Parts', target: 'shop.part', inverse: 'gadget' },
    },
    workflow: {
      initial: 'draft',
      states: [{ key: 'draft' }, { key: 'active' }],
      transitions: [
        { name: 'go_live', label: 'Go live', from: ['draft'], to: 'active' },
        { name: 'retire', from: ['active'], to: 'draft', permission: 'shop.gadget:manage' },
      ],
    },
  },
  {
    customFields: {
      warranty_months: { type: 'integer', label: 'Warranty (months)', required: true, min: 1 },
      color: { type: 'select', label: 'Color', options: ['red', 'blue'] },
      hidden_note: { type: 'text', label: 'Hidden note' },
    },
  },
)
const part = modelOf({
  key: 'shop.part',
  label: 'Part',
  table: 'shop_parts',
  resource: 'shop-parts',
  childOf: 'shop.gadget',
  fields: {
    gadget: { type: 'reference', label: 'Gadget', target: 'shop.gadget', required: true },
    label: { type: 'text', label: 'Label', required: true },
    count: { type: 'integer', label: 'Count' },
  },
})
const maker = modelOf({
  key: 'shop.maker',
  label: 'Maker',
  table: 'shop_makers',
  resource: 'makers',
  document: { numbering: 'MK/{YYYY}/{#####}' },
  customizable: false,
  fields: { name: { type: 'text', label: 'Name', required: true } },
  workflow: {
    initial: 'draft',
    states: [{ key: 'draft' }, { key: 'submitted', locked: true }, { key: 'cancelled', locked: true }],
    transitions: [{ name: 'submit', from: ['draft'], to: 'submitted' }],
  },
})
const patient = modelOf(
  {
    key: 'custom.patient',
    label: 'Patient',
    table: 'records',
    resource: 'patients',
    archivable: true,
    customizable: false,
    fields: {
      full_name: { type: 'text', label: 'Full name', required: true },
      born_on: { type: 'date', label: 'Born on' },
      weight_kg: { type: 'decimal', label: 'Weight (kg)', min: 0 },
    },
  },
  { customEntity: true },
)
const masked: FieldAccess = {
  hidden: new Set(['secret', 'custom.hidden_note']),
  readOnly: new Set(['approved_by']),
}

const generated = entityDocument({
  entities: [everything(gadget, masked), everything(maker), everything(patient)],
  lines: [everything(part)],
  taken: { schemas: ['Problem'], tags: ['health'] },
})
const base: OpenApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Tessera API',
    version: '0.1.0',
    description: 'test',
    license: { name: 'AGPL-3.0-or-later', identifier: 'AGPL-3.0-or-later' },
  },
  servers: [{ url: 'https://erp.test' }],
  paths: {},
  tags: [{ name: 'health', description: 'Liveness' }],
  components: {
    schemas: { Problem: JSON.parse(JSON.stringify(ProblemSchema)) },
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
  },
  security: [{ bearer: [] }],
}
const full = withEntities(base, generated)
const schemas = generated.schemas as Record<string, Schema & { properties: Record<string, Schema> }>
const props = (name: string) => schemas[name]?.properties ?? {}

describe('names', () => {
  it('makes PascalCase schema names from entity keys', () => {
    expect(schemaBaseName('partners.partner')).toBe('PartnersPartner')
    expect(schemaBaseName('custom.patient')).toBe('CustomPatient')
    expect(schemaBaseName('sales.order_line')).toBe('SalesOrderLine')
    expect(Object.keys(generated.schemas)).toEqual(
      expect.arrayContaining([
        'ShopGadget',
        'ShopGadgetInput',
        'ShopGadgetPatch',
        'ShopGadgetBulkPatch',
        'ShopGadgetPage',
        'CustomPatient',
        'CustomPatientInput',
        'ShopPart',
        'ShopPartInput',
        'ShopPartPatch',
      ]),
    )
    // lines are written through their parent only: no page, no bulk, no paths
    expect(generated.schemas.ShopPartPage).toBeUndefined()
    expect(Object.keys(generated.paths).some((p) => p.includes('shop-parts'))).toBe(false)
  })

  it('names clashing keys by the key itself, and leaves the base document’s names alone', () => {
    const a = modelOf({ key: 'a_b.c', label: 'C', table: 'a_b_c', resource: 'cs', fields: {} })
    const b = modelOf({ key: 'a.b_c', label: 'C', table: 'a_bc', resource: 'bcs', fields: {} })
    const c = modelOf({ key: 'shop.thing', label: 'Thing', table: 'things', resource: 'things', fields: {} })
    const doc = entityDocument({
      entities: [everything(a), everything(b), everything(c)],
      lines: [],
      taken: { schemas: ['ShopThingPage'], tags: [] },
    })
    expect(Object.keys(doc.schemas)).toEqual(
      expect.arrayContaining([
        'a_b.c',
        'a_b.c.Input',
        'a.b_c',
        'a.b_c.Patch',
        'shop.thing',
        'shop.thing.Page',
      ]),
    )
    expect(doc.schemas.ABC).toBeUndefined()
    expect(doc.schemas.ShopThingPage).toBeUndefined()
    // both are labelled C: the tags tell them apart by key
    expect(doc.tags.map((t) => t.name)).toEqual(['Cs (a_b.c)', 'Cs (a.b_c)', 'Things'])
  })
})

describe('record schemas', () => {
  it('describe every readable field, custom ones under custom, and the standard columns', () => {
    const record = props('ShopGadget')
    expect(schemas.ShopGadget?.required).toEqual(['id'])
    expect(Object.keys(record)).toEqual(
      expect.arrayContaining(['id', 'name', 'price', 'total', 'parts', 'custom', 'approved_by']),
    )
    expect(Object.keys(record)).toEqual(
      expect.arrayContaining(['created_at', 'updated_at', 'created_by', 'updated_by', 'version']),
    )
    expect(record).toMatchObject({
      archived_at: { anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }] },
      company_id: { anyOf: [{ type: 'string', format: 'uuid' }, { type: 'null' }] },
      state: { type: 'string', enum: ['draft', 'active'] },
      version: { type: 'integer', minimum: 1 },
    })
    expect(record.number).toBeUndefined()
    expect(props('ShopMaker')).toMatchObject({ number: {}, amended_from: {} })
    expect(record.name).toMatchObject({
      title: 'Name',
      description: 'what it is called',
      anyOf: [{ type: 'string', maxLength: 100 }, { type: 'null' }],
      examples: ['Example name'],
    })
    expect(record.price).toMatchObject({
      anyOf: [{ type: 'object', required: ['amount', 'currency'] }, { type: 'null' }],
      examples: [{ amount: '1250.00', currency: 'EUR' }],
    })
    expect(record.total).toMatchObject({
      anyOf: [{ type: 'string', pattern: expect.any(String) }, { type: 'null' }],
    })
    // a reference carries the id, or the record itself with include=
    expect(record.maker).toMatchObject({
      anyOf: [
        { anyOf: [{ type: 'string', format: 'uuid' }, { $ref: '#/components/schemas/ShopMaker' }] },
        { type: 'null' },
      ],
    })
    // a target the member cannot read (not in the document) is an object with an id
    expect(JSON.stringify(record.rival)).not.toContain('$ref')
    expect(record.tags).toMatchObject({ type: 'array' })
    expect(record.parts).toMatchObject({ type: 'array', items: { $ref: '#/components/schemas/ShopPart' } })
    expect(record.custom).toMatchObject({
      type: 'object',
      properties: { warranty_months: { anyOf: [{ type: 'integer', minimum: 1 }, { type: 'null' }] } },
    })
  })

  it('leave out the fields the member’s masks hide', () => {
    expect(props('ShopGadget').secret).toBeUndefined()
    expect(props('ShopGadget').custom?.properties).not.toHaveProperty('hidden_note')
    expect(props('ShopGadgetInput').secret).toBeUndefined()
    expect(props('ShopGadgetPatch').custom?.properties).not.toHaveProperty('hidden_note')
  })

  it('give a custom entity its fields at the top level and no custom object', () => {
    expect(Object.keys(props('CustomPatient'))).toEqual(
      expect.arrayContaining(['id', 'full_name', 'born_on', 'weight_kg', 'archived_at', 'version']),
    )
    expect(props('CustomPatient').custom).toBeUndefined()
    expect(props('CustomPatientInput').custom).toBeUndefined()
  })
})

describe('input schemas', () => {
  it('POST: writable fields only, required ones required, unknown properties refused', () => {
    const input = schemas.ShopGadgetInput as Schema
    expect(input.additionalProperties).toBe(false)
    expect(input.required).toEqual(['name', 'category', 'custom'])
    const properties = props('ShopGadgetInput')
    // computed and read-only (by mask) fields are not input; the company is, on create
    expect(properties.total).toBeUndefined()
    expect(properties.approved_by).toBeUndefined()
    expect(properties.company_id).toMatchObject({ type: 'string', format: 'uuid' })
    expect(properties.id).toBeUndefined()
    expect(properties.version).toBeUndefined()
    // a required field cannot be null; an optional one can
    expect(properties.name).toMatchObject({ type: 'string', maxLength: 100 })
    expect(properties.quantity).toMatchObject({
      anyOf: [{ type: 'integer', minimum: 0, maximum: 10 }, { type: 'null' }],
    })
    expect(properties.custom).toMatchObject({ additionalProperties: false, required: ['warranty_months'] })
    // lines are sent with the document, without the reference the document sets
    expect(properties.parts).toMatchObject({
      type: 'array',
      items: { $ref: '#/components/schemas/ShopPartInput' },
    })
    expect(props('ShopPartInput').gadget).toBeUndefined()
    expect(schemas.ShopPartInput?.required).toEqual(['label'])
  })

  it('PATCH: nothing required, required fields never null, lines by id or new', () => {
    const patch = schemas.ShopGadgetPatch as Schema
    expect(patch.required).toBeUndefined()
    expect(patch.additionalProperties).toBe(false)
    expect(props('ShopGadgetPatch').name).toMatchObject({ type: 'string' })
    expect(props('ShopGadgetPatch').company_id).toBeUndefined()
    expect(props('ShopGadgetPatch').parts).toMatchObject({
      items: {
        anyOf: [
          { $ref: '#/components/schemas/ShopPartInput' },
          { $ref: '#/components/schemas/ShopPartPatch' },
        ],
      },
    })
    expect(schemas.ShopPartPatch?.required).toEqual(['id'])
    expect(schemas.ShopGadgetBulkPatch).toMatchObject({
      required: ['id'],
      properties: { id: { format: 'uuid' }, version: { type: 'integer' } },
    })
  })
})

describe('paths', () => {
  it('give every entity the generic REST operations, custom entities under /custom', () => {
    expect(Object.keys(generated.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/gadgets',
        '/api/v1/gadgets/bulk',
        '/api/v1/gadgets/{id}',
        '/api/v1/gadgets/{id}/actions/go_live',
        '/api/v1/gadgets/{id}/actions/retire',
        '/api/v1/makers/{id}/actions/submit',
        '/api/v1/makers/{id}/actions/amend',
        '/api/v1/custom/patients',
        '/api/v1/custom/patients/{id}',
      ]),
    )
    const gadgets = generated.paths['/api/v1/gadgets'] as Record<string, Schema>
    expect(Object.keys(gadgets)).toEqual(['get', 'post'])
    expect(gadgets.get).toMatchObject({ operationId: 'listShopGadget', tags: ['Gadgets'] })
    const parameters = (gadgets.get as Schema).parameters as Schema[]
    const names = parameters.map((p) => p.name ?? p.$ref)
    expect(names).toEqual([
      'filter',
      'sort',
      'fields',
      'include',
      '#/components/parameters/Search',
      '#/components/parameters/Limit',
      '#/components/parameters/Cursor',
      '#/components/parameters/Count',
      '#/components/parameters/IncludeArchived',
    ])
    const filter = parameters[0] as Schema
    expect(filter.description).toContain('`custom.warranty_months`')
    expect(filter.description).not.toContain('secret')
    expect(filter.example).toBe("name starts_with 'Ex'")
    expect(gadgets.post).toMatchObject({
      requestBody: {
        content: { 'application/json': { schema: { $ref: '#/components/schemas/ShopGadgetInput' } } },
      },
      responses: { 201: {}, 400: { $ref: '#/components/responses/BadRequest' } },
    })
    expect(generated.paths['/api/v1/makers/{id}/actions/amend']).toMatchObject({
      post: { responses: { 201: {} } },
    })
  })

  it('leave out what the member may not do', () => {
    const reader: DocumentedEntity = {
      model: gadget,
      access: open,
      allows: (p) => p === 'shop.gadget:read' || p === 'shop.gadget:go_live',
    }
    const doc = entityDocument({ entities: [reader], lines: [] })
    expect(Object.keys(doc.paths)).toEqual([
      '/api/v1/gadgets',
      '/api/v1/gadgets/{id}',
      '/api/v1/gadgets/{id}/actions/go_live',
    ])
    expect(Object.keys(doc.paths['/api/v1/gadgets'] as Schema)).toEqual(['get'])
    expect(Object.keys(doc.paths['/api/v1/gadgets/{id}'] as Schema)).toEqual(['get'])
  })
})

describe('the document', () => {
  it('adds the entity part to the base without changing the base', () => {
    const before = JSON.stringify(base)
    expect(full.tags?.map((t) => t.name)).toEqual(['health', 'Gadgets', 'Makers', 'Patients'])
    expect(full.components?.schemas?.Problem).toBeDefined()
    expect(JSON.stringify(base)).toBe(before)
    const clash = { ...base, components: { ...base.components, parameters: { Limit: { name: 'other' } } } }
    expect(() => withEntities(clash, generated)).toThrow(/parameters "Limit"/)
  })

  it('is a valid OpenAPI 3.1 document: Redocly finds no error and no warning', async () => {
    expect(await lintSpec(full)).toEqual([])
    // the linter does look: a dangling reference and an example of the wrong type are reported
    const broken = structuredClone(full) as OpenApiDocument & {
      components: { schemas: Record<string, Schema> }
    }
    delete broken.components.schemas.ShopMaker
    ;(broken.components.schemas.CustomPatient as { examples: unknown[] }).examples = [{ full_name: 42 }]
    const rules = (await lintSpec(broken)).map((p) => p.rule)
    expect(rules).toContain('no-unresolved-refs')
    expect(rules).toContain('no-invalid-schema-examples')
  })

  it('has examples that fit their schemas', () => {
    const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default
    const ajv = new Ajv2020({ strict: false, allErrors: true })
    addFormats(ajv)
    ajv.addSchema({ $id: 'doc', components: { schemas: full.components?.schemas } })
    let checked = 0
    for (const [name, schema] of Object.entries(generated.schemas)) {
      const validate = ajv.getSchema(`doc#/components/schemas/${name}`)
      expect(validate, name).toBeDefined()
      for (const example of (schema.examples as unknown[] | undefined) ?? []) {
        const valid = validate?.(example)
        expect(valid, `${name}: ${JSON.stringify(validate?.errors)}`).toBe(true)
        checked++
      }
    }
    expect(checked).toBeGreaterThanOrEqual(12)
    const record = schemas.ShopGadget?.examples as Record<string, unknown>[]
    expect(record[0]).toMatchObject({
      name: 'Example name',
      quantity: 10,
      weight: '0.005',
      active: false,
      category: 'tool',
      labels: ['new', 'sale'],
      custom: { warranty_months: 42, color: 'red' },
    })
    // a value with a pattern is not guessed
    expect(record[0]).not.toHaveProperty('code')
    const input = (schemas.ShopGadgetInput as Schema).examples as Record<string, unknown>[]
    expect(input[0]).toMatchObject({
      parts: [{ label: 'Example label', count: 42 }],
    })
  })
})
