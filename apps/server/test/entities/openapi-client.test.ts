import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTesseraClient, generateTypes, lintSpec, typeCheck } from '@tessera/api-client'
import { createTestApp, type TestApp } from '@tessera/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addMember, createRole } from '../access/helpers.ts'
import { bearer, type SignedUp, signUp } from '../auth/helpers.ts'
import { openapiFixtureModule } from '../fixtures/modules/openapi-fixture.ts'
import { api, tenantWith } from './helpers.ts'

/**
 * Issue 5, item 7: the per-tenant OpenAPI document, fetched over real HTTP from a listening
 * server, is valid, describes the tenant's entities and custom fields with examples, and is
 * usable: openapi-typescript generates types from it, a client program type-checks against them
 * (and a wrong one does not), and the same program runs against the server with openapi-fetch.
 */

interface Doc {
  paths: Record<string, Record<string, { parameters?: unknown[] }>>
  components: {
    schemas: Record<
      string,
      { properties?: Record<string, Record<string, unknown>>; required?: string[]; examples?: unknown[] }
    >
  }
  tags?: { name: string }[]
}

let t: TestApp
let baseUrl: string
let owner: SignedUp
let dir: string
beforeAll(async () => {
  t = await createTestApp({ modules: [openapiFixtureModule] })
  await t.app.listen({ port: 0, host: '127.0.0.1' })
  baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`
  owner = await tenantWith(t, ['openapi_fixture'])
  const entity = await api(t, owner.accessToken, 'POST', '/api/v1/meta/entities', {
    name: 'patient',
    label: 'Patient',
    plural_label: 'Patients',
    display_field: 'full_name',
    fields: [
      { key: 'full_name', type: 'text', label: 'Full name', required: true, max_length: 120 },
      { key: 'born_on', type: 'date', label: 'Born on' },
      { key: 'weight_kg', type: 'decimal', label: 'Weight (kg)', scale: 1, min: 0 },
      { key: 'blood_type', type: 'select', label: 'Blood type', options: ['A+', 'A-', 'B+', 'O+'] },
    ],
  })
  expect(entity.statusCode, entity.body).toBe(201)
  const field = await api(
    t,
    owner.accessToken,
    'POST',
    '/api/v1/meta/entities/openapi_fixture.device/fields',
    {
      key: 'warranty_months',
      type: 'integer',
      label: 'Warranty (months)',
      min: 0,
      max: 120,
    },
  )
  expect(field.statusCode, field.body).toBe(201)
  dir = await mkdtemp(join(tmpdir(), 'tessera-openapi-'))
})
afterAll(async () => {
  await t?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

const fetchSpec = (headers: Record<string, string> = {}) =>
  fetch(`${baseUrl}/api/v1/openapi.json`, { headers })
async function specOf(token: string): Promise<Doc> {
  const res = await fetchSpec(bearer(token))
  expect(res.status).toBe(200)
  return (await res.json()) as Doc
}
const entityPaths = (doc: Doc) =>
  Object.keys(doc.paths).filter((p) => p.startsWith('/api/v1/custom/') || p.startsWith('/api/v1/fixture-'))

describe('who gets which document', () => {
  it('anonymous callers get the routes alone, never a cached personal one', async () => {
    const res = await fetchSpec()
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('private, no-store')
    expect(res.headers.get('vary')).toMatch(/authorization/)
    const doc = (await res.json()) as Doc
    expect(doc.paths['/api/v1/auth/login']).toBeDefined()
    expect(entityPaths(doc)).toEqual([])
    // the generic routes themselves are hidden: the generator is their one description
    expect(Object.keys(doc.paths).filter((p) => p.includes('{resource}') || p.includes('/custom'))).toEqual(
      [],
    )
    expect(doc.components.schemas.CustomPatient).toBeUndefined()
  })

  it('a bad bearer token is refused; a stale session cookie only reads as anonymous', async () => {
    const bad = await fetchSpec(bearer('not-a-token'))
    expect(bad.status).toBe(401)
    expect(bad.headers.get('content-type')).toMatch(/application\/problem\+json/)
    const stale = await fetchSpec({ cookie: 'tessera_session=stale' })
    expect(stale.status).toBe(200)
    expect(entityPaths((await stale.json()) as Doc)).toEqual([])
  })

  it('a member gets the entities of their tenant: active modules and custom entities, with custom fields', async () => {
    const doc = await specOf(owner.accessToken)
    expect(entityPaths(doc)).toEqual(
      expect.arrayContaining([
        '/api/v1/fixture-devices',
        '/api/v1/fixture-devices/{id}',
        '/api/v1/fixture-devices/bulk',
        '/api/v1/fixture-devices/{id}/actions/activate',
        '/api/v1/custom/patients',
        '/api/v1/custom/patients/{id}',
        '/api/v1/custom/patients/bulk',
      ]),
    )
    // partners is installed but not active in this tenant
    expect(doc.paths['/api/v1/partners']).toBeUndefined()
    const patient = doc.components.schemas.CustomPatientInput
    expect(patient?.required).toEqual(['full_name'])
    expect(patient?.properties?.full_name).toMatchObject({
      type: 'string',
      maxLength: 120,
      examples: ['Example full name'],
    })
    expect(patient?.properties?.blood_type).toMatchObject({ examples: ['A+'] })
    const custom = doc.components.schemas.OpenapiFixtureDevice?.properties?.custom as {
      properties: Record<string, unknown>
    }
    expect(custom.properties.warranty_months).toMatchObject({
      anyOf: [{ type: 'integer', minimum: 0, maximum: 120 }, { type: 'null' }],
      title: 'Warranty (months)',
      examples: [42],
    })
    expect(doc.components.schemas.OpenapiFixtureDevicePartInput?.properties?.device).toBeUndefined()
    expect(doc.tags?.map((tag) => tag.name)).toEqual(expect.arrayContaining(['Devices', 'Patients']))
  })

  it('a member sees only the entities and operations their rights allow', async () => {
    await createRole(t, owner.accessToken, 'nobody', [])
    const nobody = await addMember(t, owner, ['nobody'])
    expect(entityPaths(await specOf(nobody.token))).toEqual([])
    await createRole(t, owner.accessToken, 'patient_reader', ['custom.patient:read'])
    const rule = await api(t, owner.accessToken, 'POST', '/api/v1/access/field-rules', {
      role: 'patient_reader',
      entity: 'custom.patient',
      field: 'weight_kg',
      access: 'hidden',
    })
    expect(rule.statusCode, rule.body).toBe(201)
    const reader = await addMember(t, owner, ['patient_reader'])
    const doc = await specOf(reader.token)
    expect(entityPaths(doc).sort()).toEqual(['/api/v1/custom/patients', '/api/v1/custom/patients/{id}'])
    expect(Object.keys(doc.paths['/api/v1/custom/patients'] ?? {})).toEqual(['get'])
    // the field the reader's mask hides is not in their document; the owner's still has it
    expect(Object.keys(doc.components.schemas.CustomPatient?.properties ?? {})).not.toContain('weight_kg')
    expect(
      Object.keys((await specOf(owner.accessToken)).components.schemas.CustomPatient?.properties ?? {}),
    ).toContain('weight_kg')
  })

  it('the docs page renders the document of the member signed in by the web session', async () => {
    const page = await fetch(`${baseUrl}/api/docs/`)
    expect(page.status).toBe(200)
    const anonymous = await fetch(`${baseUrl}/api/docs/json`)
    expect(entityPaths((await anonymous.json()) as Doc)).toEqual([])
    const signedIn = await fetch(`${baseUrl}/api/docs/json`, { headers: { cookie: owner.cookie } })
    expect(signedIn.headers.get('cache-control')).toBe('private, no-store')
    expect(entityPaths((await signedIn.json()) as Doc)).toContain('/api/v1/custom/patients')
  })

  it('another tenant’s document knows nothing of this tenant’s entities', async () => {
    const other = await signUp(t)
    const doc = await specOf(other.accessToken)
    expect(entityPaths(doc)).toEqual([])
    expect(doc.components.schemas.CustomPatient).toBeUndefined()
    expect(JSON.stringify(doc)).not.toContain('warranty_months')
  })

  it('is a valid OpenAPI 3.1 document whose examples fit their schemas', async () => {
    const problems = await lintSpec(await specOf(owner.accessToken))
    expect(problems.filter((p) => p.severity === 'error')).toEqual([])
    const generated = /^#\/(components\/schemas\/(Custom|OpenapiFixture)|paths\/~1api~1v1~1(custom|fixture-))/
    expect(problems.filter((p) => generated.test(p.where))).toEqual([])
  })
})

/** A client program written against the generated types: type-checked, then run against the server. */
const PROGRAM = `
import type { Client } from 'openapi-fetch'
import type { components, paths } from './schema.ts'

type Patient = components['schemas']['CustomPatient']

export async function run(client: Client<paths>) {
  const created = await client.POST('/api/v1/custom/patients', {
    params: { header: { 'Idempotency-Key': 'openapi-client-patient-1' } },
    body: { full_name: 'Grace Hopper', born_on: '1906-12-09', weight_kg: '61.5', blood_type: 'A+' },
  })
  if (!created.data) throw new Error('create: ' + created.response.status + ' ' + JSON.stringify(created.error))
  const patient: Patient = created.data
  const list = await client.GET('/api/v1/custom/patients', {
    params: { query: { filter: "full_name starts_with 'Grace'", sort: '-created_at', limit: 10, count: true } },
  })
  const one = await client.GET('/api/v1/custom/patients/{id}', { params: { path: { id: patient.id } } })
  const version: number | undefined = one.data?.version
  const ifMatch = '"' + version + '"'
  const patched = await client.PATCH('/api/v1/custom/patients/{id}', {
    params: { path: { id: patient.id }, header: { 'If-Match': ifMatch } },
    body: { weight_kg: '62.0', born_on: null },
  })
  const stale = await client.PATCH('/api/v1/custom/patients/{id}', {
    params: { path: { id: patient.id }, header: { 'If-Match': ifMatch } },
    body: { full_name: 'Grace B. Hopper' },
  })
  const device = await client.POST('/api/v1/fixture-devices', {
    body: {
      name: 'Probe',
      category: 'sensor',
      price: { amount: '19.90', currency: 'EUR' },
      labels: ['new'],
      parts: [{ label: 'Lens', count: 2 }],
      custom: { warranty_months: 24 },
    },
  })
  if (!device.data) throw new Error('device: ' + device.response.status + ' ' + JSON.stringify(device.error))
  const activated = await client.POST('/api/v1/fixture-devices/{id}/actions/activate', {
    params: { path: { id: device.data.id } },
  })
  const withParts = await client.GET('/api/v1/fixture-devices/{id}', {
    params: { path: { id: device.data.id }, query: { include: 'parts' } },
  })
  const parts = withParts.data?.parts ?? []
  return {
    patient,
    total: list.data?.count,
    names: (list.data?.data ?? []).map((p) => p.full_name),
    one: one.data,
    patched: patched.data,
    stale: { status: stale.response.status, code: stale.error?.code },
    warranty: device.data.custom?.warranty_months,
    state: activated.data?.state,
    parts: parts.map((p) => ({ label: p.label, count: p.count })),
  }
}
`

/** The same calls with mistakes the types must catch. */
const WRONG = `
import type { Client } from 'openapi-fetch'
import type { paths } from './schema.ts'

export async function wrong(client: Client<paths>) {
  await client.POST('/api/v1/custom/patients', { body: { full_name: 'Ada', born_on: 18151210 } })
  await client.POST('/api/v1/custom/patients', { body: { born_on: '1815-12-10' } })
  await client.POST('/api/v1/custom/patients', { body: { full_name: 'Ada', blood_type: 'Z' } })
  await client.POST('/api/v1/fixture-devices', { body: { name: 'X', category: 'sensor', custom: { warranty_months: 'long' } } })
  await client.GET('/api/v1/custom/doctors')
}
`

describe('the generated client', () => {
  let program: string

  beforeAll(async () => {
    const types = await generateTypes(await specOf(owner.accessToken))
    await writeFile(join(dir, 'schema.ts'), types)
    program = join(dir, 'program.ts')
    await writeFile(program, PROGRAM)
    await writeFile(join(dir, 'wrong.ts'), WRONG)
  })

  it('type-checks a program written against the generated types', () => {
    expect(typeCheck([program])).toEqual([])
  })

  it('refuses, at compile time, wrong field types, missing required fields, unknown options and paths', () => {
    const diagnostics = typeCheck([join(dir, 'wrong.ts')])
    const lines = diagnostics.map((d) => Number(/wrong\.ts:(\d+):/.exec(d)?.[1]))
    // one diagnostic (at least) for each of the five wrong calls, on lines 6 to 10
    expect([...new Set(lines)].sort((a, b) => a - b)).toEqual([6, 7, 8, 9, 10])
    expect(diagnostics.join('\n')).toMatch(/'number' is not assignable to type 'string'/)
    expect(diagnostics.join('\n')).toMatch(/full_name/)
  })

  it('works against the live server: create, list with a filter, get, PATCH with If-Match, an action', async () => {
    const { run } = (await import(program)) as {
      run: (client: ReturnType<typeof createTesseraClient>) => Promise<Record<string, unknown>>
    }
    const result = await run(createTesseraClient(baseUrl, owner.accessToken))
    expect(result.patient).toMatchObject({ full_name: 'Grace Hopper', born_on: '1906-12-09', version: 1 })
    expect(result.total).toBe(1)
    expect(result.names).toEqual(['Grace Hopper'])
    expect(result.one).toEqual(result.patient)
    expect(result.patched).toMatchObject({ weight_kg: '62.0', born_on: null, version: 2 })
    expect(result.stale).toEqual({ status: 409, code: expect.any(String) })
    expect(result.warranty).toBe(24)
    expect(result.state).toBe('active')
    expect(result.parts).toEqual([{ label: 'Lens', count: 2 }])
  })
})
