import type { TestApp } from '@tessera/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addMember, call, createRole } from '../access/helpers.ts'
import type { SignedUp } from '../auth/helpers.ts'
import { definitionState, expectProblem, gadgetTenant, meta, metaApp, sqlIn } from './meta-helpers.ts'

/** Custom entities through /api/v1/meta, and their records through /api/v1/custom/{resource}. */

let t: TestApp
let owner: SignedUp
let other: SignedUp

beforeAll(async () => {
  t = await metaApp()
  owner = await gadgetTenant(t)
  other = await gadgetTenant(t)
})
afterAll(() => t.close())

const patient = (overrides: Record<string, unknown> = {}) => ({
  name: 'patient',
  label: 'Patient',
  plural_label: 'Patients',
  description: 'Someone the clinic treats',
  display_field: 'full_name',
  fields: [
    { key: 'full_name', type: 'text', label: 'Full name', required: true, searchable: true },
    { key: 'born_on', type: 'date', label: 'Born on' },
    { key: 'blood', type: 'select', label: 'Blood group', options: ['A', 'B', 'AB', 'O'] },
    { key: 'file_no', type: 'text', label: 'File number', unique: true },
    { key: 'gadget', type: 'reference', label: 'Gadget', target: 'gadgets.gadget' },
  ],
  workflow: {
    initial: 'waiting',
    states: [{ key: 'waiting' }, { key: 'treated', label: 'Treated', locked: true }],
    transitions: [{ name: 'treat', label: 'Treat', from: ['waiting'], to: 'treated' }],
  },
  layout: { list: ['full_name', 'born_on'], kanban: 'state', calendar: 'born_on' },
  ...overrides,
})
/** Without the parts that name the default fields: for bodies with other fields. */
const bare = { display_field: undefined, layout: undefined }
const create = (body: Record<string, unknown>, token = owner.accessToken) =>
  meta(t, token, 'POST', '/entities', body)

describe('creating a custom entity', () => {
  it('creates it with its fields in one request, usable at once under /api/v1/custom', async () => {
    const res = await create(patient())
    expect(res.statusCode, res.body).toBe(201)
    const body = res.json()
    expect(body).toMatchObject({
      key: 'custom.patient',
      name: 'patient',
      resource: 'patients',
      path: '/api/v1/custom/patients',
      label: 'Patient',
      display_field: 'full_name',
      company_scoped: false,
      version: 1,
      workflow: {
        initial: 'waiting',
        transitions: [
          { name: 'treat', permission: 'custom.patient:treat', from: ['waiting'], to: 'treated' },
        ],
      },
      layout: { list: ['full_name', 'born_on'], kanban: 'state', calendar: 'born_on' },
    })
    expect(body.fields.map((f: { key: string }) => f.key)).toEqual([
      'full_name',
      'born_on',
      'blood',
      'file_no',
      'gadget',
    ])
    expect(res.headers.etag).toBe('"1"')
  })

  it('serves its records through the generic REST routes, validated by its fields', async () => {
    const made = await call(t, owner.accessToken, 'POST', '/api/v1/custom/patients', {
      full_name: 'Ada Lovelace',
      born_on: '1815-12-10',
      blood: 'O',
      file_no: 'F-1',
    })
    expect(made.statusCode, made.body).toBe(201)
    expect(made.json()).toMatchObject({ full_name: 'Ada Lovelace', blood: 'O', state: 'waiting' })
    const id = made.json().id
    const got = await call(t, owner.accessToken, 'GET', `/api/v1/custom/patients/${id}`)
    expect(got.json()).toMatchObject({ id, full_name: 'Ada Lovelace', born_on: '1815-12-10' })
    const list = await call(t, owner.accessToken, 'GET', '/api/v1/custom/patients')
    expect(list.json().data.map((r: { id: string }) => r.id)).toEqual([id])
    expectProblem(
      await call(t, owner.accessToken, 'POST', '/api/v1/custom/patients', { blood: 'O' }),
      400,
      'full_name',
    )
    expectProblem(
      await call(t, owner.accessToken, 'POST', '/api/v1/custom/patients', { full_name: 'X', blood: 'Z' }),
      400,
      'blood',
    )
    expectProblem(
      await call(t, owner.accessToken, 'POST', '/api/v1/custom/patients', { full_name: 'Y', file_no: 'f-1' }),
      409,
      'file_no',
    )
    const acted = await call(t, owner.accessToken, 'POST', `/api/v1/custom/patients/${id}/actions/treat`)
    expect(acted.statusCode, acted.body).toBe(200)
    expect(acted.json().state).toBe('treated')
  })

  it('takes a field added later at once, and a removed one disappears from its records', async () => {
    const res = await meta(t, owner.accessToken, 'POST', '/entities/custom.patient/fields', {
      key: 'allergies',
      type: 'multi_select',
      label: 'Allergies',
      options: ['nuts', 'pollen'],
    })
    expect(res.statusCode, res.body).toBe(201)
    const made = await call(t, owner.accessToken, 'POST', '/api/v1/custom/patients', {
      full_name: 'Grace Hopper',
      allergies: ['pollen'],
    })
    expect(made.statusCode, made.body).toBe(201)
    expect(
      (await meta(t, owner.accessToken, 'DELETE', '/entities/custom.patient/fields/allergies')).statusCode,
    ).toBe(200)
    const got = await call(t, owner.accessToken, 'GET', `/api/v1/custom/patients/${made.json().id}`)
    expect(got.json()).not.toHaveProperty('allergies')
    const { rows } = await sqlIn(t, owner.tenantId, (trx) =>
      sql<{ data: Record<string, unknown> }>`select data from records where id = ${made.json().id}`.execute(
        trx,
      ),
    )
    expect(rows[0]?.data.allergies).toEqual(['pollen'])
  })

  const bad: [string, Record<string, unknown>, number, string][] = [
    ['a name that is not an identifier', { name: 'Patient' }, 400, 'name'],
    ['an existing name', { resource: 'people' }, 409, 'name'],
    ['a resource taken by another custom entity', { name: 'person', resource: 'patients' }, 409, 'resource'],
    ['a resource that is not kebab-case', { name: 'person', resource: 'People_X' }, 400, 'resource'],
    ['a name too long for its plural resource', { name: `p${'x'.repeat(62)}` }, 400, 'resource'],
    ['no label', { name: 'person', label: undefined }, 400, 'label'],
    ['an unknown display field', { name: 'person', display_field: 'nope' }, 400, 'display_field'],
    [
      'a display field that cannot name records',
      { name: 'person', display_field: 'blood', fields: [{ key: 'blood', type: 'json', label: 'B' }] },
      400,
      'display_field',
    ],
    [
      'an unknown initial state',
      { name: 'person', workflow: { initial: 'x', states: [{ key: 'a' }], transitions: [] } },
      400,
      'workflow.initial',
    ],
    [
      'a transition to an unknown state',
      {
        name: 'person',
        workflow: {
          initial: 'a',
          states: [{ key: 'a' }],
          transitions: [{ name: 'go', from: ['a'], to: 'b' }],
        },
      },
      400,
      'workflow.transitions[0].to',
    ],
    [
      'a transition named like a standard action',
      {
        name: 'person',
        workflow: {
          initial: 'a',
          states: [{ key: 'a' }],
          transitions: [{ name: 'delete', from: ['a'], to: 'a' }],
        },
      },
      400,
      'workflow.transitions[0].name',
    ],
    [
      'a state listed twice',
      { name: 'person', workflow: { initial: 'a', states: [{ key: 'a' }, { key: 'a' }], transitions: [] } },
      400,
      'workflow.states[1].key',
    ],
    [
      'a transition permission outside custom.*',
      {
        name: 'person',
        workflow: {
          initial: 'a',
          states: [{ key: 'a' }],
          transitions: [{ name: 'go', from: ['a'], to: 'a', permission: 'kernel.member:update' }],
        },
      },
      400,
      'workflow.transitions[0].permission',
    ],
    [
      'a reserved field key',
      {
        name: 'person',
        ...bare,
        fields: [
          { key: 'ok', type: 'text', label: 'Ok' },
          { key: 'tenant_id', type: 'text', label: 'T' },
        ],
      },
      400,
      'fields[1].key',
    ],
    [
      'a field listed twice',
      {
        name: 'person',
        ...bare,
        fields: [
          { key: 'ok', type: 'text', label: 'Ok' },
          { key: 'ok', type: 'text', label: 'Ok' },
        ],
      },
      409,
      'fields[1].key',
    ],
    [
      'a select field without options',
      { name: 'person', ...bare, fields: [{ key: 'kind', type: 'select', label: 'Kind' }] },
      400,
      'fields[0].options',
    ],
    [
      'a reference to an unknown entity',
      {
        name: 'person',
        ...bare,
        fields: [{ key: 'doc', type: 'reference', label: 'Doc', target: 'custom.doctor' }],
      },
      400,
      'fields[0].target',
    ],
    [
      'a list column that is no field',
      { name: 'person', layout: { list: ['full_name', 'weight'] } },
      400,
      'layout.list[1]',
    ],
    ['a board on a text field', { name: 'person', layout: { kanban: 'full_name' } }, 400, 'layout.kanban'],
    ['a server-owned property', { name: 'person', tenant_id: owner?.tenantId ?? 'x' }, 400, 'tenant_id'],
  ]
  it.each(bad)('refuses %s, naming it, with nothing written', async (_name, overrides, status, field) => {
    const before = await definitionState(t, owner.tenantId)
    expectProblem(await create(patient(overrides)), status, field)
    expect(await definitionState(t, owner.tenantId)).toEqual(before)
  })

  it('allows the same name in another tenant, which cannot see this one', async () => {
    const res = await create(
      patient({ ...bare, fields: [{ key: 'full_name', type: 'text', label: 'Name' }] }),
      other.accessToken,
    )
    expect(res.statusCode, res.body).toBe(201)
  })
})

describe('one tenant never reaches another tenant’s custom entity', () => {
  beforeAll(async () => {
    expect(
      (await create({ name: 'secret', label: 'Secret', plural_label: 'Secrets' }, other.accessToken))
        .statusCode,
    ).toBe(201)
  })
  it.each([
    ['GET', '/entities/custom.secret'],
    ['GET', '/entities/custom.secret/fields'],
    ['PATCH', '/entities/custom.secret'],
    ['DELETE', '/entities/custom.secret'],
    ['POST', '/entities/custom.secret/fields'],
  ] as const)('%s %s is 404', async (method, path) => {
    const before = await definitionState(t, other.tenantId)
    const body =
      method === 'PATCH'
        ? { label: 'Mine now', version: 1 }
        : method === 'POST'
          ? { key: 'x', type: 'text', label: 'X' }
          : undefined
    expectProblem(await meta(t, owner.accessToken, method, path, body), 404)
    expect(await definitionState(t, other.tenantId)).toEqual(before)
  })
  it('is not listed, and its records route is not there either', async () => {
    const list = (await meta(t, owner.accessToken, 'GET', '/entities')).json().data
    expect(list.map((e: { key: string }) => e.key)).not.toContain('custom.secret')
    expect((await call(t, owner.accessToken, 'GET', '/api/v1/custom/secrets')).statusCode).toBe(404)
  })
})

describe('changing a custom entity', () => {
  const patch = (body: Record<string, unknown>, ifMatch?: number) =>
    meta(t, owner.accessToken, 'PATCH', '/entities/custom.patient', body, ifMatch)
  const version = async () =>
    (await meta(t, owner.accessToken, 'GET', '/entities/custom.patient')).json().version

  it('needs the version, refuses a stale one (409) and writes nothing then', async () => {
    expectProblem(await patch({ label: 'Client' }), 428)
    const before = await definitionState(t, owner.tenantId)
    expect(expectProblem(await patch({ label: 'Client' }, 99), 409).code).toBe('version_conflict')
    expect(await definitionState(t, owner.tenantId)).toEqual(before)
  })

  it('changes labels and layout with If-Match or with version in the body', async () => {
    const v = await version()
    const res = await patch({ label: 'Client', plural_label: 'Clients' }, v)
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({ label: 'Client', version: v + 1 })
    const again = await patch({ layout: { list: ['full_name'] }, version: v + 1 })
    expect(again.statusCode, again.body).toBe(200)
    // a merge patch: the board and calendar set at creation stay
    expect(again.json().layout).toEqual({ list: ['full_name'], kanban: 'state', calendar: 'born_on' })
    const cleared = await patch({ layout: { calendar: null, kanban: 'blood' }, version: v + 2 })
    expect(cleared.statusCode, cleared.body).toBe(200)
    expect(cleared.json().layout).toEqual({ list: ['full_name'], kanban: 'blood' })
    const none = await patch({ layout: null, version: v + 3 })
    expect(none.json().layout).toBeNull()
  })

  it('checks only the layout hints a patch names, naming the bad one', async () => {
    const v = await version()
    const res = await patch({ layout: { kanban: 'full_name' } }, v)
    expectProblem(res, 400, 'layout.kanban')
    expect(await version()).toBe(v)
    expectProblem(await patch({ layout: { list: 'full_name' } }, v), 400, 'layout.list')
  })

  it('refuses a workflow without a state records are in (422)', async () => {
    const v = await version()
    const problem = expectProblem(
      await patch({ workflow: { initial: 'waiting', states: [{ key: 'waiting' }], transitions: [] } }, v),
      422,
      'workflow.states',
    )
    expect(problem.detail).toContain('treated')
  })

  it('refuses to remove the display field (422) and to point the display field at nothing (400)', async () => {
    expectProblem(
      await meta(t, owner.accessToken, 'DELETE', '/entities/custom.patient/fields/full_name'),
      422,
      'field',
    )
    expectProblem(await patch({ display_field: 'allergies' }, await version()), 400, 'display_field')
  })

  it('refuses to change or delete a code entity here (422 code_entity)', async () => {
    expect(
      expectProblem(
        await meta(t, owner.accessToken, 'PATCH', '/entities/gadgets.gadget', { label: 'X', version: 1 }),
        422,
      ).code,
    ).toBe('code_entity')
    expect(
      expectProblem(await meta(t, owner.accessToken, 'DELETE', '/entities/gadgets.gadget'), 422).code,
    ).toBe('code_entity')
  })
})

describe('deleting a custom entity', () => {
  it('refuses while it has records, archived ones included (409), then deletes it and its fields', async () => {
    expect(
      (
        await create({
          name: 'visit',
          label: 'Visit',
          plural_label: 'Visits',
          fields: [{ key: 'note', type: 'text', label: 'Note' }],
        })
      ).statusCode,
    ).toBe(201)
    const made = await call(t, owner.accessToken, 'POST', '/api/v1/custom/visits', { note: 'first' })
    expect(made.statusCode, made.body).toBe(201)
    await call(t, owner.accessToken, 'DELETE', `/api/v1/custom/visits/${made.json().id}`)
    expect(
      expectProblem(await meta(t, owner.accessToken, 'DELETE', '/entities/custom.visit'), 409).code,
    ).toBe('records_exist')
    await sqlIn(t, owner.tenantId, (trx) =>
      sql`delete from records where entity = 'custom.visit'`.execute(trx),
    )
    expect((await meta(t, owner.accessToken, 'DELETE', '/entities/custom.visit')).statusCode).toBe(204)
    expectProblem(await meta(t, owner.accessToken, 'GET', '/entities/custom.visit'), 404)
    const { rows } = await sqlIn(t, owner.tenantId, (trx) =>
      sql<{ n: number }>`select count(*)::int as n from custom_fields where entity = 'custom.visit'`.execute(
        trx,
      ),
    )
    expect(rows[0]?.n).toBe(0)
  })

  it('refuses while another entity’s field refers to it (422)', async () => {
    expect((await create({ name: 'ward', label: 'Ward', plural_label: 'Wards' })).statusCode).toBe(201)
    const ref = await meta(t, owner.accessToken, 'POST', '/entities/gadgets.gadget/fields', {
      key: 'ward',
      type: 'reference',
      label: 'Ward',
      target: 'custom.ward',
    })
    expect(ref.statusCode, ref.body).toBe(201)
    expect(expectProblem(await meta(t, owner.accessToken, 'DELETE', '/entities/custom.ward'), 422).code).toBe(
      'entity_referenced',
    )
  })
})

describe('rights of custom entities', () => {
  it('roles may grant custom.<name>:<action>, and those rights open the entity to a member', async () => {
    const role = await createRole(t, owner.accessToken, 'nurse', [
      'custom.patient:read',
      'custom.patient:create',
    ])
    expect(role.permissions).toEqual(['custom.patient:create', 'custom.patient:read'])
    const badRole = await call(t, owner.accessToken, 'POST', '/api/v1/roles', {
      key: 'odd',
      name: 'Odd',
      permissions: ['custom.Patient:read'],
    })
    expectProblem(badRole, 400, 'permissions[0]')
    const nurse = await addMember(t, owner, ['nurse'])
    const list = (await meta(t, nurse.token, 'GET', '/entities')).json().data
    expect(list.map((e: { key: string }) => e.key)).toEqual(['custom.patient'])
    const view = await meta(t, nurse.token, 'GET', '/entities/custom.patient')
    expect(view.statusCode, view.body).toBe(200)
    expect(view.json().actions).toEqual([expect.objectContaining({ name: 'treat', allowed: false })])
    expect(view.json().rights).toMatchObject({ read: true, create: true, update: false, delete: false })
    const made = await call(t, nurse.token, 'POST', '/api/v1/custom/patients', { full_name: 'Nurse-made' })
    expect(made.statusCode, made.body).toBe(201)
    expectProblem(await meta(t, nurse.token, 'GET', '/entities/gadgets.gadget'), 403)
    expectProblem(
      await meta(t, nurse.token, 'PATCH', '/entities/custom.patient', { label: 'X', version: 1 }),
      403,
    )
  })
})

describe('retries', () => {
  it('a create retried with the same Idempotency-Key creates once and replays the first answer', async () => {
    const body = { name: 'room', label: 'Room', plural_label: 'Rooms' }
    const send = () =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/meta/entities',
        headers: { authorization: `Bearer ${owner.accessToken}`, 'idempotency-key': 'create-room-1' },
        payload: body,
      })
    const first = await send()
    expect(first.statusCode, first.body).toBe(201)
    const again = await send()
    expect(again.statusCode).toBe(201)
    expect(again.headers['idempotent-replayed']).toBe('true')
    expect(again.json().id).toBe(first.json().id)
  })
})
