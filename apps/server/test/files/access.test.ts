import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTestApp, type TestApp } from '@tessera/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addMember, call, createRole, type Member } from '../access/helpers.ts'
import type { SignedUp } from '../auth/helpers.ts'
import { api, create, tenantWith } from '../entities/helpers.ts'
import { catalogModule } from '../fixtures/modules/catalog.ts'
import { filesUnder, upload, uploadVersion } from './helpers.ts'

/** A file is exactly as reachable as its record: rights, record rules, tenant and module. */
let t: TestApp
let dataDir: string
let owner: SignedUp
let viewer: Member
let clerk: Member
let outsider: Member
let service: { id: string }
let good: { id: string }
let serviceFile: { id: string }
let goodFile: { id: string }
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tessera-files-access-'))
  t = await createTestApp({ modules: [catalogModule], env: { TESSERA_DATA_DIR: dataDir } })
  owner = await tenantWith(t, ['catalog'])
  await createRole(t, owner.accessToken, 'viewer', ['catalog.item:read'])
  await createRole(t, owner.accessToken, 'clerk', ['catalog.item:read', 'catalog.item:update'])
  await createRole(t, owner.accessToken, 'outsider', ['catalog.label:read'])
  viewer = await addMember(t, owner, ['viewer'])
  clerk = await addMember(t, owner, ['clerk'])
  outsider = await addMember(t, owner, ['outsider'])
  await addRule('clerk', "kind = 'service'")
  service = await create(t, owner.accessToken, 'catalog-items', { name: 'Consulting', kind: 'service' })
  good = await create(t, owner.accessToken, 'catalog-items', { name: 'Gold bar', kind: 'good' })
  serviceFile = (await upload(t, owner.accessToken, onItem(service.id, 'terms.txt'), 'terms')).json()
  goodFile = (await upload(t, owner.accessToken, onItem(good.id, 'vault.txt'), 'vault 3')).json()
})
afterAll(async () => {
  await t?.close()
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

const onItem = (record: string, filename: string) => ({ entity: 'catalog.item', record_id: record, filename })
const listOf = (record: string) => `/api/v1/files?entity=catalog.item&record_id=${record}`

async function addRule(role: string, filter: string) {
  const res = await call(t, owner.accessToken, 'POST', '/api/v1/access/record-rules', {
    role,
    entity: 'catalog.item',
    filter,
  })
  expect(res.statusCode, res.body).toBe(201)
}

/** Every route about an existing file, as `token`: the status of each. */
async function statuses(token: string, fileId: string, record: string) {
  const file = `/api/v1/files/${fileId}`
  return {
    list: (await api(t, token, 'GET', listOf(record))).statusCode,
    get: (await api(t, token, 'GET', file)).statusCode,
    versions: (await api(t, token, 'GET', `${file}/versions`)).statusCode,
    content: (await api(t, token, 'GET', `${file}/content`)).statusCode,
    oldContent: (await api(t, token, 'GET', `${file}/content?version=1`)).statusCode,
    upload: (await upload(t, token, onItem(record, 'new.txt'), 'new')).statusCode,
    newVersion: (await uploadVersion(t, token, fileId, 'changed')).statusCode,
    archive: (await api(t, token, 'DELETE', file)).statusCode,
  }
}

const READ_ONLY = { list: 200, get: 200, versions: 200, content: 200, oldContent: 200 }

describe('rights on the record', () => {
  it('lets a member with read see and download, and refuses changes without update (403)', async () => {
    expect(await statuses(viewer.token, serviceFile.id, service.id)).toEqual({
      ...READ_ONLY,
      upload: 403,
      newVersion: 403,
      archive: 403,
    })
    const refused = await upload(t, viewer.token, onItem(service.id, 'x.txt'), 'x')
    expect(refused.json()).toMatchObject({ code: 'permission_required' })
    expect(refused.json().detail).toContain('catalog.item:update')
  })

  it('refuses every route to a member without read on the entity (403)', async () => {
    const all = await statuses(outsider.token, serviceFile.id, service.id)
    expect(Object.values(all).every((status) => status === 403)).toBe(true)
  })

  it('lets a member with update attach files and versions to a record they see', async () => {
    const res = await upload(t, clerk.token, onItem(service.id, 'clerk.txt'), 'mine')
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json().created_by).toBe(clerk.userId)
    expect((await uploadVersion(t, clerk.token, res.json().id, 'mine v2')).json().current_version).toBe(2)
    expect((await api(t, clerk.token, 'DELETE', `/api/v1/files/${res.json().id}`)).statusCode).toBe(204)
  })

  it('hides the files of a record outside the member’s record rules (404) and stores nothing', async () => {
    const before = await filesUnder(dataDir)
    expect(await statuses(clerk.token, goodFile.id, good.id)).toEqual({
      list: 404,
      get: 404,
      versions: 404,
      content: 404,
      oldContent: 404,
      upload: 404,
      newVersion: 404,
      archive: 404,
    })
    expect(await filesUnder(dataDir)).toEqual(before)
    const owners = await api(t, owner.accessToken, 'GET', `/api/v1/files/${goodFile.id}`)
    expect(owners.json()).toMatchObject({ current_version: 1, archived_at: null })
  })

  it('checks again on every download: a new record rule applies to the next request', async () => {
    await createRole(t, owner.accessToken, 'reader', ['catalog.item:read'])
    const reader = await addMember(t, owner, ['reader'])
    const url = `/api/v1/files/${goodFile.id}/content`
    expect((await api(t, reader.token, 'GET', url)).body).toBe('vault 3')
    await addRule('reader', "kind = 'service'")
    expect((await api(t, reader.token, 'GET', url)).statusCode).toBe(404)
  })
})

describe('tenants and modules', () => {
  it('answers 404 to another tenant for every route and stores nothing for it', async () => {
    const other = await tenantWith(t, ['catalog'])
    const before = await filesUnder(dataDir)
    expect(await statuses(other.accessToken, serviceFile.id, service.id)).toEqual({
      list: 404,
      get: 404,
      versions: 404,
      content: 404,
      oldContent: 404,
      upload: 404,
      newVersion: 404,
      archive: 404,
    })
    expect(await filesUnder(dataDir)).toEqual(before)
    // its own record works, and its files land in its own folder
    const own = await create(t, other.accessToken, 'catalog-items', { name: 'Theirs', kind: 'good' })
    expect((await upload(t, other.accessToken, onItem(own.id, 'b.txt'), 'b')).statusCode).toBe(201)
    const added = (await filesUnder(dataDir)).filter((f) => !before.includes(f))
    expect(added).toHaveLength(1)
    expect(added[0]?.startsWith(`files/${other.tenantId}/`)).toBe(true)
  })

  it('answers 404 once the record’s module is deactivated', async () => {
    const tenant = await tenantWith(t, ['catalog'])
    const record = await create(t, tenant.accessToken, 'catalog-items', { name: 'Soon gone', kind: 'good' })
    const file = (await upload(t, tenant.accessToken, onItem(record.id, 'a.txt'), 'a')).json()
    const off = await api(t, tenant.accessToken, 'PATCH', '/api/v1/modules/catalog', { active: false })
    expect(off.statusCode, off.body).toBe(200)
    expect((await api(t, tenant.accessToken, 'GET', `/api/v1/files/${file.id}/content`)).statusCode).toBe(404)
    expect((await upload(t, tenant.accessToken, onItem(record.id, 'b.txt'), 'b')).statusCode).toBe(404)
  })
})
