import type { TestApp } from '@tessera/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addMember, call, createRole, type Member } from '../access/helpers.ts'
import { type SignedUp, signUp } from '../auth/helpers.ts'
import { expectProblem, gadgetTenant, meta, metaApp } from './meta-helpers.ts'

/** GET /api/v1/meta/entities and /entities/{key}: what the web app draws, for the member asking. */

let t: TestApp
let owner: SignedUp
let viewer: Member

type FieldView = { name: string; read_only: boolean; custom: boolean; label: string }

beforeAll(async () => {
  t = await metaApp()
  owner = await gadgetTenant(t)
  const add = (body: Record<string, unknown>) =>
    meta(t, owner.accessToken, 'POST', '/entities/gadgets.gadget/fields', body)
  expect((await add({ key: 'color', type: 'text', label: 'Colour' })).statusCode).toBe(201)
  expect((await add({ key: 'secret_code', type: 'text', label: 'Secret code' })).statusCode).toBe(201)
  expect((await add({ key: 'gone', type: 'text', label: 'Gone' })).statusCode).toBe(201)
  expect(
    (await meta(t, owner.accessToken, 'DELETE', '/entities/gadgets.gadget/fields/gone')).statusCode,
  ).toBe(200)
  await createRole(t, owner.accessToken, 'gadget_viewer', ['gadgets.gadget:read'])
  for (const [field, access] of [
    ['price', 'hidden'],
    ['code', 'read_only'],
    ['custom.secret_code', 'hidden'],
  ]) {
    const res = await call(t, owner.accessToken, 'POST', '/api/v1/access/field-rules', {
      role: 'gadget_viewer',
      entity: 'gadgets.gadget',
      field,
      access,
    })
    expect(res.statusCode, res.body).toBe(201)
  }
  viewer = await addMember(t, owner, ['gadget_viewer'])
})
afterAll(() => t.close())

describe('the entity list', () => {
  it('lists the code entities of active modules and the custom entities, each with its path', async () => {
    const made = await meta(t, owner.accessToken, 'POST', '/entities', {
      name: 'lab_result',
      label: 'Lab result',
      plural_label: 'Lab results',
    })
    expect(made.statusCode, made.body).toBe(201)
    const list = (await meta(t, owner.accessToken, 'GET', '/entities')).json().data
    expect(list).toEqual(
      expect.arrayContaining([
        {
          key: 'gadgets.gadget',
          label: 'Gadget',
          plural_label: 'Gadgets',
          resource: 'gadgets',
          path: '/api/v1/gadgets',
          custom: false,
          module: 'gadgets',
        },
        expect.objectContaining({ key: 'gadgets.log', path: '/api/v1/gadget-logs' }),
        {
          key: 'custom.lab_result',
          label: 'Lab result',
          plural_label: 'Lab results',
          resource: 'lab-results',
          path: '/api/v1/custom/lab-results',
          custom: true,
          module: null,
        },
      ]),
    )
  })

  it('lists only what the member may read, and nothing of inactive modules', async () => {
    const keys = (await meta(t, viewer.token, 'GET', '/entities'))
      .json()
      .data.map((e: { key: string }) => e.key)
    expect(keys).toEqual(['gadgets.gadget'])
    const stranger = await signUp(t)
    const theirs = (await meta(t, stranger.accessToken, 'GET', '/entities')).json().data
    expect(theirs.map((e: { key: string }) => e.key)).not.toContain('gadgets.gadget')
    expectProblem(await meta(t, stranger.accessToken, 'GET', '/entities/gadgets.gadget'), 404, 'entity')
    expectProblem(
      await meta(t, stranger.accessToken, 'GET', '/entities/gadgets.gadget/fields'),
      404,
      'entity',
    )
  })
})

describe('one entity’s metadata', () => {
  it('gives the owner every field, labels, layout hints, states and the actions, all allowed', async () => {
    const res = await meta(t, owner.accessToken, 'GET', '/entities/gadgets.gadget')
    expect(res.statusCode, res.body).toBe(200)
    const view = res.json()
    expect(view).toMatchObject({
      key: 'gadgets.gadget',
      label: 'Gadget',
      plural_label: 'Gadgets',
      path: '/api/v1/gadgets',
      custom: false,
      module: 'gadgets',
      display_field: 'name',
      search_fields: ['name', 'code'],
      default_sort: 'name',
      archivable: true,
      company_scoped: false,
      document: null,
      initial_state: 'draft',
      states: [
        { key: 'draft', label: 'Draft', locked: false },
        { key: 'active', label: 'Active', locked: false },
      ],
      actions: [
        {
          name: 'activate',
          label: 'Activate',
          from: ['draft'],
          to: 'active',
          permission: 'gadgets.gadget:activate',
          allowed: true,
        },
      ],
      rights: { read: true, create: true, update: true, delete: true },
      version: null,
    })
    expect(view.fields.map((f: FieldView) => f.name)).toEqual([
      'name',
      'code',
      'price',
      'status',
      'due',
      'notes',
      'custom.color',
      'custom.secret_code',
    ])
    expect(view.fields.find((f: FieldView) => f.name === 'custom.color')).toMatchObject({
      type: 'text',
      label: 'Colour',
      custom: true,
      read_only: false,
    })
    expect(view.fields.find((f: FieldView) => f.name === 'price')).toMatchObject({ label: 'Price', scale: 2 })
    expect(view.fields.find((f: FieldView) => f.name === 'status')).toMatchObject({
      options: ['new', 'used'],
    })
    expect(view.layout).toEqual({
      sections: [
        { label: 'Main', fields: ['name', 'code', 'status'] },
        { label: 'More', fields: ['price', 'due', 'notes'] },
        { label: 'Custom fields', fields: ['custom.color', 'custom.secret_code'] },
      ],
      list: ['name', 'code', 'price', 'status', 'due', 'custom.color'],
      kanban: 'state',
      calendar: 'due',
    })
  })

  it('leaves out what the member’s field rules hide, marks what they make read-only, and their actions', async () => {
    const res = await meta(t, viewer.token, 'GET', '/entities/gadgets.gadget')
    expect(res.statusCode, res.body).toBe(200)
    const view = res.json()
    const names = view.fields.map((f: FieldView) => f.name)
    expect(names).not.toContain('price')
    expect(names).not.toContain('custom.secret_code')
    expect(view.fields.find((f: FieldView) => f.name === 'code').read_only).toBe(true)
    expect(view.fields.find((f: FieldView) => f.name === 'name').read_only).toBe(false)
    expect(view.layout.list).not.toContain('price')
    expect(view.layout.sections.flatMap((s: { fields: string[] }) => s.fields)).not.toContain(
      'custom.secret_code',
    )
    expect(view.actions[0].allowed).toBe(false)
    expect(view.rights).toMatchObject({ read: true, create: false, update: false })
    const fields = (await meta(t, viewer.token, 'GET', '/entities/gadgets.gadget/fields')).json().data
    expect(fields.map((f: { key: string }) => f.key).sort()).toEqual(['color', 'gone'])
  })

  it('derives a custom entity’s layout from its fields', async () => {
    const made = await meta(t, owner.accessToken, 'POST', '/entities', {
      name: 'task',
      label: 'Task',
      plural_label: 'Tasks',
      fields: [
        { key: 'title', type: 'text', label: 'Title' },
        { key: 'details', type: 'long_text', label: 'Details' },
        { key: 'priority', type: 'select', label: 'Priority', options: ['low', 'high'] },
        { key: 'due_at', type: 'datetime', label: 'Due at' },
      ],
    })
    expect(made.statusCode, made.body).toBe(201)
    const res = await meta(t, owner.accessToken, 'GET', '/entities/custom.task')
    expect(res.headers.etag).toBe('"1"')
    expect(res.json()).toMatchObject({
      custom: true,
      module: null,
      display_field: 'title',
      path: '/api/v1/custom/tasks',
      archivable: true,
      version: 1,
      states: [],
      actions: [],
      layout: {
        sections: [{ label: 'Task', fields: ['title', 'details', 'priority', 'due_at'] }],
        list: ['title', 'priority', 'due_at'],
        kanban: 'priority',
        calendar: 'due_at',
      },
    })
    expect(res.json().fields.every((f: FieldView) => f.custom)).toBe(true)
  })

  it('answers 403 to a member without <key>:read, 404 for an unknown entity and 400 for a malformed key', async () => {
    const nobody = await addMember(t, owner, ['user'])
    expect(expectProblem(await meta(t, nobody.token, 'GET', '/entities/gadgets.gadget'), 403).code).toBe(
      'permission_required',
    )
    expectProblem(await meta(t, nobody.token, 'GET', '/entities/gadgets.gadget/fields'), 403)
    expectProblem(await meta(t, owner.accessToken, 'GET', '/entities/gadgets.nothing'), 404, 'entity')
    expectProblem(await meta(t, owner.accessToken, 'GET', '/entities/not-a-key'), 400, 'key')
    expectProblem(await meta(t, nobody.token, 'GET', '/entities/custom.task'), 403)
    expect((await meta(t, nobody.token, 'GET', '/entities')).json().data).toEqual([])
  })
})

describe('the API description', () => {
  it('documents the metadata routes under the tag meta', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json()
    const paths = doc.paths as Record<string, Record<string, { tags?: string[] }>>
    for (const path of [
      '/api/v1/meta/entities',
      '/api/v1/meta/entities/{key}',
      '/api/v1/meta/entities/{key}/fields',
      '/api/v1/meta/entities/{key}/fields/{field}',
      '/api/v1/meta/entities/{key}/fields/{field}/restore',
      '/api/v1/meta/entities/{key}/fields/{field}/purge',
    ])
      for (const operation of Object.values(paths[path] ?? { missing: { tags: [path] } }))
        expect(operation.tags).toEqual(['meta'])
  })
})
