import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { withTenant } from '@tessera/kernel'
import { createTestApp, type TestApp } from '@tessera/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, type SignedUp } from '../auth/helpers.ts'
import { api, create, tenantWith } from '../entities/helpers.ts'
import { catalogModule } from '../fixtures/modules/catalog.ts'
import { type FormPart, filesUnder, multipartBody, PNG } from './helpers.ts'

/** Uploads as multipart/form-data (an HTML form): the `file` part, its name, the same limits. */
const LIMIT = 65_536
let t: TestApp
let owner: SignedUp
let dataDir: string
let item: { id: string }
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tessera-multipart-'))
  t = await createTestApp({
    modules: [catalogModule],
    env: { TESSERA_DATA_DIR: dataDir, TESSERA_FILE_LIMIT: String(LIMIT) },
  })
  owner = await tenantWith(t, ['catalog'])
  item = await create(t, owner.accessToken, 'catalog-items', { name: 'Widget', kind: 'good' })
})
afterAll(async () => {
  await t?.close()
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex')

function postForm(url: string, parts: FormPart[]) {
  const { payload, contentType } = multipartBody(parts)
  return t.app.inject({
    method: 'POST',
    url,
    headers: { ...bearer(owner.accessToken), 'content-type': contentType },
    payload,
  })
}
const onItem = `/api/v1/files?entity=catalog.item&record_id=`

/** What the tenant has stored: rows and files on disk. */
async function stored() {
  const rows = await withTenant(t.database.db, owner.tenantId, async (trx) => {
    const { rows } = await sql<{ files: number; versions: number }>`
      select (select count(*)::int from files) as files, (select count(*)::int from file_versions) as versions`.execute(
      trx,
    )
    return rows[0]
  })
  return { ...rows, onDisk: (await filesUnder(join(dataDir, 'files', owner.tenantId))).length }
}

describe('multipart uploads', () => {
  it('round-trips the file part: its filename, sniffed type and SHA-256, and a new version', async () => {
    const res = await postForm(`${onItem}${item.id}`, [
      { name: 'note', content: 'a field before the file is ignored' },
      { name: 'file', filename: 'pixel.png', type: 'text/plain', content: PNG },
    ])
    expect(res.statusCode, res.body).toBe(201)
    const file = res.json()
    expect(file).toMatchObject({
      name: 'pixel.png',
      size: PNG.length,
      content_type: 'image/png',
      sha256: sha256(PNG),
      current_version: 1,
    })
    expect(res.headers.location).toBe(`/api/v1/files/${file.id}`)
    const got = await api(t, owner.accessToken, 'GET', `/api/v1/files/${file.id}/content`)
    expect(got.statusCode).toBe(200)
    expect(got.rawPayload.equals(PNG)).toBe(true)

    const bytes = randomBytes(5000)
    const next = await postForm(`/api/v1/files/${file.id}/versions`, [
      { name: 'file', filename: 'pixel-2.bin', content: bytes },
    ])
    expect(next.statusCode, next.body).toBe(201)
    expect(next.json()).toMatchObject({ name: 'pixel-2.bin', current_version: 2, sha256: sha256(bytes) })
    const latest = await api(t, owner.accessToken, 'GET', `/api/v1/files/${file.id}/content`)
    expect(latest.rawPayload.equals(bytes)).toBe(true)
  })

  it('a file part over the limit is 413 problem+json and nothing is kept', async () => {
    const before = await stored()
    const res = await postForm(`${onItem}${item.id}`, [
      { name: 'file', filename: 'big.bin', content: randomBytes(LIMIT + 1) },
    ])
    expect(res.statusCode, res.body).toBe(413)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(res.json().code).toBe('file_too_large')
    expect(await stored()).toEqual(before)
  })

  it('a path in the part’s filename is neutralised: the last segment is the name, the bytes stay under ids', async () => {
    const before = await stored()
    const res = await postForm(`${onItem}${item.id}`, [
      { name: 'file', filename: '../../../etc/pass\u202ewd', content: 'root:x:0:0' },
    ])
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json().name).toBe('passwd')
    const after = await stored()
    expect(after.onDisk).toBe(before.onDisk + 1)
    const onDisk = await filesUnder(join(dataDir, 'files'))
    expect(onDisk.every((path) => !path.includes('passwd') && !path.includes('..'))).toBe(true)
  })

  it('a form without a `file` part is 400 naming the field, and nothing is kept', async () => {
    const before = await stored()
    const cases: FormPart[][] = [
      [{ name: 'note', content: 'no file here' }],
      [{ name: 'attachment', filename: 'a.txt', content: 'wrong field' }],
    ]
    for (const parts of cases) {
      const res = await postForm(`${onItem}${item.id}`, parts)
      expect(res.statusCode, res.body).toBe(400)
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(res.json().errors).toEqual([
        expect.objectContaining({ field: 'file', code: 'file_part_missing' }),
      ])
    }
    expect(await stored()).toEqual(before)
  })

  it('the OpenAPI document describes both forms of an upload', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json()
    for (const path of ['/api/v1/files', '/api/v1/files/{id}/versions']) {
      const content = doc.paths[path].post.requestBody.content
      expect(Object.keys(content).sort(), path).toEqual(['application/octet-stream', 'multipart/form-data'])
      expect(content['multipart/form-data'].schema.properties.file.format).toBe('binary')
    }
  })
})
