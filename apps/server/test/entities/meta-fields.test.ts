import type { TestApp } from '@tessera/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addMember, call, createRole } from '../access/helpers.ts'
import type { SignedUp } from '../auth/helpers.ts'
import {
  definitionState,
  expectProblem,
  gadgetTenant,
  insertGadget,
  meta,
  metaApp,
  storedCustom,
} from './meta-helpers.ts'

/** Custom fields of a code entity (the gadgets fixture), through /api/v1/meta, on an entity with rows. */

let t: TestApp
let owner: SignedUp
const FIELDS = '/entities/gadgets.gadget/fields'

beforeAll(async () => {
  t = await metaApp()
  owner = await gadgetTenant(t)
  await insertGadget(t, owner.tenantId, 'First gadget')
})
afterAll(() => t.close())

const add = (body: Record<string, unknown>, token = owner.accessToken) => meta(t, token, 'POST', FIELDS, body)
const field = (key: string, type = 'text', extra: Record<string, unknown> = {}) => ({
  key,
  type,
  label: key,
  ...extra,
})

describe('adding a custom field: every bad input is refused, naming the property, with nothing written', () => {
  const cases: [string, Record<string, unknown>, number, string, string?][] = [
    ['an invalid key', field('Bad-Key'), 400, 'key'],
    ['a key of 64 characters', field(`k${'x'.repeat(63)}`), 400, 'key'],
    ['the standard column id', field('id'), 400, 'key', 'reserved_name'],
    ['the standard column tenant_id', field('tenant_id'), 400, 'key', 'reserved_name'],
    ['the standard column custom', field('custom'), 400, 'key', 'reserved_name'],
    ['the standard column state', field('state'), 400, 'key', 'reserved_name'],
    ['the name of a code field', field('name'), 409, 'key', 'taken'],
    ['an unknown type', field('x1', 'spaceship'), 400, 'type'],
    ['children (needs code)', field('x2', 'children', { target: 'gadgets.log' }), 400, 'type'],
    ['computed (needs code)', field('x3', 'computed'), 400, 'type'],
    ['a select without options', field('x4', 'select'), 400, 'options'],
    ['options on a text', field('x5', 'text', { options: ['a'] }), 400, 'options'],
    ['a duplicated option', field('x6', 'select', { options: ['a', 'a'] }), 400, 'options'],
    ['a pattern that does not compile', field('x7', 'text', { pattern: '(' }), 400, 'pattern'],
    [
      'a pattern that can backtrack forever',
      field('x8', 'text', { pattern: '(a+)+$' }),
      400,
      'pattern',
      'unsafe_pattern',
    ],
    [
      'a pattern with a backreference',
      field('x9', 'text', { pattern: '(a)\\1' }),
      400,
      'pattern',
      'unsafe_pattern',
    ],
    [
      'a pattern on a long text without a short max_length',
      field('x10', 'long_text', { pattern: '[a-z]*' }),
      400,
      'max_length',
    ],
    ['min on a text', field('x11', 'text', { min: 1 }), 400, 'min'],
    ['min above max', field('x12', 'integer', { min: 5, max: 1 }), 400, 'min'],
    [
      'max_length below min_length',
      field('x13', 'text', { min_length: 5, max_length: 1 }),
      400,
      'min_length',
    ],
    [
      'an unknown target',
      field('x14', 'reference', { target: 'nowhere.thing' }),
      400,
      'target',
      'unknown_entity',
    ],
    ['a reference without target', field('x15', 'reference'), 400, 'target'],
    ['a target on a text', field('x16', 'text', { target: 'gadgets.log' }), 400, 'target'],
    [
      'a default of the wrong type',
      field('x17', 'integer', { default: 'x' }),
      400,
      'default',
      'invalid_default',
    ],
    [
      'a default outside the options',
      field('x18', 'select', { options: ['a'], default: 'b' }),
      400,
      'default',
    ],
    ['a default above max', field('x19', 'integer', { max: 3, default: 4 }), 400, 'default'],
    [
      'a default on a reference',
      field('x20', 'reference', { target: 'gadgets.log', default: 'x' }),
      400,
      'default',
    ],
    ['unique on a json field', field('x21', 'json', { unique: true }), 400, 'unique'],
    ['an empty label', field('x22', 'text', { label: ' ' }), 400, 'label'],
    ['a scale on a decimal above 12', field('x23', 'decimal', { scale: 13 }), 400, 'scale'],
    [
      'a property the API does not know',
      field('x24', 'text', { column: 'name' }),
      400,
      'column',
      'unknown_field',
    ],
    [
      'a tenant_id in the body',
      field('x25', 'text', { tenant_id: owner?.tenantId ?? 'x' }),
      400,
      'tenant_id',
    ],
    [
      'required on an entity with rows, without default',
      field('x26', 'text', { required: true }),
      422,
      'required',
      'required_needs_default',
    ],
  ]
  it.each(cases)('%s', async (_name, body, status, property, code) => {
    const before = await definitionState(t, owner.tenantId)
    const problem = expectProblem(await add(body), status, property)
    if (code) expect(problem.errors?.find((e) => e.field === property)?.code).toBe(code)
    expect(await definitionState(t, owner.tenantId)).toEqual(before)
  })

  it('answers 404 naming the entity for an unknown one, and 422 for an entity closed to custom fields', async () => {
    expectProblem(
      await meta(t, owner.accessToken, 'POST', '/entities/nowhere.thing/fields', field('a1')),
      404,
      'entity',
    )
    expectProblem(
      await meta(t, owner.accessToken, 'POST', '/entities/gadgets.log/fields', field('a1')),
      422,
      'entity',
    )
    expectProblem(
      await meta(t, owner.accessToken, 'POST', '/entities/Not-A-Key/fields', field('a1')),
      400,
      'key',
    )
  })

  it('refuses a member without kernel.meta:manage (403) before reading the body, writing nothing', async () => {
    await createRole(t, owner.accessToken, 'gadget_clerk', ['gadgets.gadget:read', 'gadgets.gadget:create'])
    const clerk = await addMember(t, owner, ['gadget_clerk'])
    const before = await definitionState(t, owner.tenantId)
    const res = await add(field('sneaky'), clerk.token)
    expect(expectProblem(res, 403).code).toBe('permission_required')
    expectProblem(await add({ nonsense: true }, clerk.token), 403)
    expect(await definitionState(t, owner.tenantId)).toEqual(before)
    // but may read the definitions of an entity it reads
    expect((await meta(t, clerk.token, 'GET', FIELDS)).statusCode).toBe(200)
  })
})

describe('adding fields to an entity with rows', () => {
  it('accepts a required field with a default and gives it to the existing rows', async () => {
    const id = await insertGadget(t, owner.tenantId, 'Defaulted')
    const res = await add(field('grade', 'integer', { required: true, default: 3, min: 1, max: 5 }))
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json()).toMatchObject({
      key: 'grade',
      type: 'integer',
      required: true,
      default: 3,
      version: 1,
    })
    expect(res.headers.etag).toBe('"1"')
    expect(await storedCustom(t, owner.tenantId, id)).toMatchObject({ grade: 3 })
  })

  it('refuses a unique field when rows already share a value (any case), writing nothing', async () => {
    await insertGadget(t, owner.tenantId, 'Twin 1', { serial: 'SN-1' })
    await insertGadget(t, owner.tenantId, 'Twin 2', { serial: ' sn-1' })
    const before = await definitionState(t, owner.tenantId)
    const problem = expectProblem(await add(field('serial', 'text', { unique: true })), 409, 'unique')
    expect(problem.code).toBe('duplicate_values')
    expect(await definitionState(t, owner.tenantId)).toEqual(before)
  })

  it('claims the existing values of a new unique field, so a duplicate is refused from then on', async () => {
    await insertGadget(t, owner.tenantId, 'Tagged', { asset_tag: 'AT-7' })
    expect((await add(field('asset_tag', 'text', { unique: true }))).statusCode).toBe(201)
    const dup = await call(t, owner.accessToken, 'POST', '/api/v1/gadgets', {
      name: 'Copy',
      custom: { asset_tag: 'at-7' },
    })
    expectProblem(dup, 409, 'custom.asset_tag')
    const fine = await call(t, owner.accessToken, 'POST', '/api/v1/gadgets', {
      name: 'Other',
      custom: { asset_tag: 'AT-8' },
    })
    expect(fine.statusCode, fine.body).toBe(201)
  })
})

describe('changing a custom field', () => {
  let version: number
  beforeAll(async () => {
    const res = await add(field('size', 'select', { options: ['s', 'm', 'l'] }))
    version = res.json().version
  })
  const patch = (body: Record<string, unknown>, ifMatch?: number) =>
    meta(t, owner.accessToken, 'PATCH', `${FIELDS}/size`, body, ifMatch)

  it('needs the version (428), and refuses a stale one (409) without writing', async () => {
    expect(expectProblem(await patch({ label: 'Size' }), 428).code).toBe('if_match_required')
    const before = await definitionState(t, owner.tenantId)
    expect(expectProblem(await patch({ label: 'Size' }, version + 5), 409).code).toBe('version_conflict')
    expect(expectProblem(await patch({ label: 'Size', version: version + 5 }), 409).code).toBe(
      'version_conflict',
    )
    expect(await definitionState(t, owner.tenantId)).toEqual(before)
  })

  it('never changes the type or the key (400)', async () => {
    expect(expectProblem(await patch({ type: 'text' }, version), 400, 'type').errors?.[0]?.code).toBe(
      'immutable',
    )
    expectProblem(await patch({ key: 'dimension' }, version), 400, 'key')
    expectProblem(await patch({ unique: true }, version), 400, 'unique')
  })

  it('refuses removing an option a record holds, naming it (422)', async () => {
    const created = await call(t, owner.accessToken, 'POST', '/api/v1/gadgets', {
      name: 'Big',
      custom: { size: 'l' },
    })
    expect(created.statusCode, created.body).toBe(201)
    const problem = expectProblem(await patch({ options: ['s', 'm'] }, version), 422, 'options')
    expect(problem.detail).toContain('"l"')
    const res = await patch({ options: ['s', 'l', 'xl'], label: 'T-shirt size', version })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({
      options: ['s', 'l', 'xl'],
      label: 'T-shirt size',
      version: version + 1,
    })
    version += 1
  })

  it('refuses required while records have no value (422), and options on the wrong bounds (400)', async () => {
    expectProblem(await patch({ required: true }, version), 422, 'required')
    expectProblem(await patch({ min: 1 }, version), 400, 'min')
  })

  it('takes effect on the next request: the new label and options validate writes at once', async () => {
    const bad = await call(t, owner.accessToken, 'POST', '/api/v1/gadgets', {
      name: 'Tiny',
      custom: { size: 'xs' },
    })
    expectProblem(bad, 400, 'custom.size')
    const good = await call(t, owner.accessToken, 'POST', '/api/v1/gadgets', {
      name: 'Huge',
      custom: { size: 'xl' },
    })
    expect(good.statusCode, good.body).toBe(201)
    const view = (await meta(t, owner.accessToken, 'GET', '/entities/gadgets.gadget')).json()
    expect(view.fields.find((f: { name: string }) => f.name === 'custom.size')).toMatchObject({
      label: 'T-shirt size',
    })
  })
})

describe('removing, restoring and purging a field', () => {
  let id: string
  beforeAll(async () => {
    expect((await add(field('color'))).statusCode).toBe(201)
    const res = await call(t, owner.accessToken, 'POST', '/api/v1/gadgets', {
      name: 'Red one',
      custom: { color: 'red' },
    })
    expect(res.statusCode, res.body).toBe(201)
    id = res.json().id
  })
  const gadget = async () => (await call(t, owner.accessToken, 'GET', `/api/v1/gadgets/${id}`)).json()

  it('refuses to purge or restore a live field (422)', async () => {
    expectProblem(await meta(t, owner.accessToken, 'POST', `${FIELDS}/color/purge`), 422, 'field')
    expectProblem(await meta(t, owner.accessToken, 'POST', `${FIELDS}/color/restore`), 422, 'field')
    expectProblem(await meta(t, owner.accessToken, 'DELETE', `${FIELDS}/nothing_here`), 404, 'field')
  })

  it('removing hides the field but keeps its values in the rows, and keeps its key taken', async () => {
    const res = await meta(t, owner.accessToken, 'DELETE', `${FIELDS}/color`)
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json().removed_at).toEqual(expect.any(String))
    expect((await gadget()).custom).not.toHaveProperty('color')
    expect(await storedCustom(t, owner.tenantId, id)).toMatchObject({ color: 'red' })
    const write = await call(t, owner.accessToken, 'POST', '/api/v1/gadgets', {
      name: 'x',
      custom: { color: 'blue' },
    })
    expect(write.statusCode).toBe(400)
    expectProblem(await add(field('color')), 409, 'key')
    const listed = (await meta(t, owner.accessToken, 'GET', FIELDS)).json().data
    expect(listed.find((f: { key: string }) => f.key === 'color').removed_at).not.toBeNull()
  })

  it('restoring brings the values back', async () => {
    const res = await meta(t, owner.accessToken, 'POST', `${FIELDS}/color/restore`)
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json().removed_at).toBeNull()
    expect((await gadget()).custom.color).toBe('red')
  })

  it('purging (only once removed) erases the values from every row and frees the key', async () => {
    expect((await meta(t, owner.accessToken, 'DELETE', `${FIELDS}/color`)).statusCode).toBe(200)
    const res = await meta(t, owner.accessToken, 'POST', `${FIELDS}/color/purge`)
    expect(res.statusCode, res.body).toBe(204)
    expect(await storedCustom(t, owner.tenantId, id)).not.toHaveProperty('color')
    const again = await add(field('color'))
    expect(again.statusCode, again.body).toBe(201)
    expect((await gadget()).custom.color).toBeNull()
  })

  it('a unique field restored over duplicates written meanwhile is refused (409)', async () => {
    expect((await add(field('badge', 'text', { unique: true }))).statusCode).toBe(201)
    expect((await meta(t, owner.accessToken, 'DELETE', `${FIELDS}/badge`)).statusCode).toBe(200)
    await insertGadget(t, owner.tenantId, 'B1', { badge: 'B' })
    await insertGadget(t, owner.tenantId, 'B2', { badge: 'b' })
    const before = await definitionState(t, owner.tenantId)
    expectProblem(await meta(t, owner.accessToken, 'POST', `${FIELDS}/badge/restore`), 409, 'unique')
    expect(await definitionState(t, owner.tenantId)).toEqual(before)
  })
})

describe('a field with a pattern', () => {
  it('needs short values, and checks writes against the whole pattern', async () => {
    expectProblem(
      await add(field('plate', 'text', { pattern: '[A-Z]{2}-[0-9]{3}', max_length: 1000 })),
      400,
      'max_length',
    )
    expect((await add(field('plate', 'text', { pattern: '[A-Z]{2}-[0-9]{3}' }))).statusCode).toBe(201)
    const post = (plate: string) =>
      call(t, owner.accessToken, 'POST', '/api/v1/gadgets', { name: `Car ${plate}`, custom: { plate } })
    expectProblem(await post('AB-1234'), 400, 'custom.plate')
    expect((await post('AB-123')).statusCode).toBe(201)
  })
})
