import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { Agent } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { withTenant } from '@tessera/kernel'
import { createTestApp, type TestApp } from '@tessera/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SignedUp } from '../auth/helpers.ts'
import { api, create, fieldCodes, tenantWith } from '../entities/helpers.ts'
import { catalogModule } from '../fixtures/modules/catalog.ts'
import { filesUnder, PNG, postOverHttp, upload, uploadVersion } from './helpers.ts'

/** Uploads, versions, sniffed types, safe names and the size limit, on a catalog item. */
const LIMIT = 65_536
let t: TestApp
let owner: SignedUp
let dataDir: string
let item: { id: string }
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tessera-files-'))
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
const onItem = (filename: string, record = item.id) => ({
  entity: 'catalog.item',
  record_id: record,
  filename,
})
const tenantFiles = () => join(dataDir, 'files', owner.tenantId)
const download = (id: string, version?: number) =>
  api(t, owner.accessToken, 'GET', `/api/v1/files/${id}/content${version ? `?version=${version}` : ''}`)

/** What the tenant has stored: rows and files on disk. */
async function stored() {
  const rows = await withTenant(t.database.db, owner.tenantId, async (trx) => {
    const { rows } = await sql<{ files: number; versions: number }>`
      select (select count(*)::int from files) as files, (select count(*)::int from file_versions) as versions`.execute(
      trx,
    )
    return rows[0]
  })
  return { ...rows, onDisk: (await filesUnder(tenantFiles())).length }
}

describe('upload and download', () => {
  it('round-trips the bytes, records their SHA-256 and serves them as an attachment', async () => {
    const bytes = randomBytes(20_000)
    const res = await upload(t, owner.accessToken, onItem('data.bin'), bytes)
    expect(res.statusCode, res.body).toBe(201)
    const file = res.json()
    expect(file).toMatchObject({
      entity: 'catalog.item',
      record_id: item.id,
      name: 'data.bin',
      current_version: 1,
      size: 20_000,
      content_type: 'application/octet-stream',
      sha256: sha256(bytes),
      created_by: owner.userId,
      archived_at: null,
    })
    expect(res.headers.location).toBe(`/api/v1/files/${file.id}`)

    const got = await download(file.id)
    expect(got.statusCode).toBe(200)
    expect(got.rawPayload.equals(bytes)).toBe(true)
    expect(got.headers).toMatchObject({
      'content-type': 'application/octet-stream',
      'content-length': '20000',
      'content-disposition': `attachment; filename="data.bin"; filename*=UTF-8''data.bin`,
      'x-content-type-options': 'nosniff',
      'cache-control': 'private, no-store',
      etag: `"${sha256(bytes)}"`,
    })
    expect(got.headers['content-security-policy']).toContain('sandbox')

    // stored under ids only, inside the tenant's folder
    const onDisk = await filesUnder(tenantFiles())
    expect(onDisk).toHaveLength(1)
    expect(onDisk[0]).toMatch(new RegExp(`^${file.id}/[0-9a-f-]{36}$`))
    expect((await readFile(join(tenantFiles(), onDisk[0] as string))).equals(bytes)).toBe(true)

    expect((await api(t, owner.accessToken, 'GET', `/api/v1/files/${file.id}`)).json()).toEqual(file)
    const list = await api(
      t,
      owner.accessToken,
      'GET',
      `/api/v1/files?entity=catalog.item&record_id=${item.id}`,
    )
    expect(list.statusCode).toBe(200)
    expect(list.json()).toEqual({ data: [file], next_cursor: null })
  })

  it('keeps every version: listed newest first, each downloadable', async () => {
    const record = await create(t, owner.accessToken, 'catalog-items', { name: 'Versioned', kind: 'good' })
    const first = (await upload(t, owner.accessToken, onItem('notes.txt', record.id), 'first draft')).json()
    const second = await uploadVersion(t, owner.accessToken, first.id, 'second draft')
    expect(second.statusCode, second.body).toBe(201)
    expect(second.json()).toMatchObject({ id: first.id, current_version: 2, name: 'notes.txt' })
    const third = await uploadVersion(t, owner.accessToken, first.id, 'final', 'notes-final.txt')
    expect(third.json()).toMatchObject({
      current_version: 3,
      name: 'notes-final.txt',
      sha256: sha256('final'),
      size: 5,
      created_at: first.created_at,
    })

    const versions = await api(t, owner.accessToken, 'GET', `/api/v1/files/${first.id}/versions`)
    expect(versions.statusCode).toBe(200)
    expect(
      versions
        .json()
        .data.map((v: { version: number; name: string; sha256: string }) => [v.version, v.name, v.sha256]),
    ).toEqual([
      [3, 'notes-final.txt', sha256('final')],
      [2, 'notes.txt', sha256('second draft')],
      [1, 'notes.txt', sha256('first draft')],
    ])
    const page = await api(t, owner.accessToken, 'GET', `/api/v1/files/${first.id}/versions?limit=2`)
    expect(page.json().data.map((v: { version: number }) => v.version)).toEqual([3, 2])
    const rest = await api(
      t,
      owner.accessToken,
      'GET',
      `/api/v1/files/${first.id}/versions?limit=2&cursor=${page.json().next_cursor}`,
    )
    expect(rest.json()).toMatchObject({ data: [{ version: 1 }], next_cursor: null })

    expect((await download(first.id)).body).toBe('final')
    expect((await download(first.id, 1)).body).toBe('first draft')
    const old = await download(first.id, 2)
    expect(old.body).toBe('second draft')
    expect(old.headers['content-disposition']).toContain('filename="notes.txt"')
    const missing = await download(first.id, 9)
    expect(missing.statusCode).toBe(404)
    expect(fieldCodes(missing)).toEqual(['version: version_not_found'])
  })

  it('sniffs the type from the bytes and never serves what the client declared', async () => {
    const png = await upload(t, owner.accessToken, onItem('evil.html'), PNG, { 'content-type': 'text/html' })
    expect(png.json()).toMatchObject({ content_type: 'image/png', name: 'evil.html' })
    expect((await download(png.json().id)).headers['content-type']).toBe('image/png')

    const page = '<!doctype html><html><body><script>alert(document.cookie)</script></body></html>'
    const html = await upload(t, owner.accessToken, onItem('page.html'), page, {
      'content-type': 'text/html',
    })
    expect(html.json().content_type).toBe('text/plain')
    const served = await download(html.json().id)
    expect(served.headers['content-type']).toBe('text/plain; charset=utf-8')
    expect(served.headers['x-content-type-options']).toBe('nosniff')
    expect(served.headers['content-disposition']).toMatch(/^attachment;/)

    const svg = '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
    const image = await upload(t, owner.accessToken, onItem('x.svg'), svg, {
      'content-type': 'image/svg+xml',
    })
    expect(image.json().content_type).toBe('text/plain')

    const pdf = await upload(t, owner.accessToken, onItem('invoice.pdf'), Buffer.from('%PDF-1.7\n%âãÏÓ\n'), {
      'content-type': 'text/html',
    })
    expect(pdf.json().content_type).toBe('application/pdf')
  })

  it('keeps a name only as a label: no path, no traversal, nothing outside the tenant folder', async () => {
    const before = await filesUnder(dataDir)
    const res = await upload(t, owner.accessToken, onItem('../../etc/passwd'), 'root:x:0:0')
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json().name).toBe('passwd')
    const windows = await upload(t, owner.accessToken, onItem('..\\..\\boot.ini'), 'x')
    expect(windows.json().name).toBe('boot.ini')
    const dots = await upload(t, owner.accessToken, onItem('..'), 'x')
    expect(dots.json().name).toBe('file')
    const spoof = await upload(t, owner.accessToken, onItem('invoice\u202egpj.exe\u0000'), 'x')
    expect(spoof.json().name).toBe('invoicegpj.exe')

    const added = (await filesUnder(dataDir)).filter((f) => !before.includes(f))
    expect(added).toHaveLength(4)
    for (const path of added)
      expect(path).toMatch(new RegExp(`^files/${owner.tenantId}/[0-9a-f-]{36}/[0-9a-f-]{36}$`))
    expect((await download(res.json().id)).headers['content-disposition']).toBe(
      `attachment; filename="passwd"; filename*=UTF-8''passwd`,
    )
  })

  it('offers a non-ASCII name in UTF-8 with an ASCII fallback', async () => {
    const res = await upload(t, owner.accessToken, onItem('Résumé "final" 2026.txt'), 'cv')
    expect(res.json().name).toBe('Résumé _final_ 2026.txt')
    expect((await download(res.json().id)).headers['content-disposition']).toBe(
      `attachment; filename="R_sum_ _final_ 2026.txt"; filename*=UTF-8''R%C3%A9sum%C3%A9%20_final_%202026.txt`,
    )
  })
})

describe('bad input: a clear error and nothing stored', () => {
  it('refuses a file over TESSERA_FILE_LIMIT with 413, announced or not', async () => {
    const before = await stored()
    const exact = await upload(t, owner.accessToken, onItem('exact.bin'), Buffer.alloc(LIMIT, 1))
    expect(exact.statusCode, exact.body).toBe(201)
    const afterExact = await stored()

    const announced = await upload(t, owner.accessToken, onItem('big.bin'), Buffer.alloc(LIMIT + 1, 1))
    expect(announced.statusCode).toBe(413)
    expect(announced.headers['content-type']).toContain('application/problem+json')
    expect(announced.json()).toMatchObject({ code: 'file_too_large', status: 413 })
    expect(fieldCodes(announced)).toEqual(['file: file_too_large'])

    // no Content-Length: refused while streaming, the partial file removed
    const chunks = Array.from({ length: 20 }, () => Buffer.alloc(8192, 2))
    const streamed = await upload(t, owner.accessToken, onItem('stream.bin'), Readable.from(chunks))
    expect(streamed.statusCode, streamed.body).toBe(413)
    const version = await uploadVersion(t, owner.accessToken, exact.json().id, Readable.from(chunks))
    expect(version.statusCode).toBe(413)

    expect(afterExact).toEqual({
      files: (before.files ?? 0) + 1,
      versions: (before.versions ?? 0) + 1,
      onDisk: before.onDisk + 1,
    })
    expect(await stored()).toEqual(afterExact)
    expect((await filesUnder(tenantFiles())).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })

  it('answers 413 over a real connection and keeps the connection usable', async () => {
    const before = await stored()
    const base = await t.app.listen({ port: 0, host: '127.0.0.1' })
    // one kept-alive socket: each request after a refusal reuses the connection it left
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    try {
      const url = new URL(`/api/v1/files?${new URLSearchParams(onItem('wire.bin'))}`, base)
      const send = (chunks: number, announced: boolean) =>
        postOverHttp(url, owner.accessToken, agent, { chunks, announced })
      const streamed = await send(200, false)
      expect(streamed.status).toBe(413)
      expect(JSON.parse(streamed.body).code).toBe('file_too_large')
      expect((await send(200, true)).status).toBe(413)
      expect((await send(2, false)).status).toBe(201)
    } finally {
      agent.destroy()
    }
    const after = await stored()
    expect(after.versions).toBe((before.versions ?? 0) + 1)
    expect(after.onDisk).toBe(before.onDisk + 1)
  })

  it('refuses an empty file, a multipart body other than a form and malformed or unknown targets', async () => {
    const before = await stored()
    const empty = await upload(t, owner.accessToken, onItem('empty.txt'), '')
    expect(empty.statusCode).toBe(400)
    expect(fieldCodes(empty)).toEqual(['file: empty_file'])

    const form = await upload(t, owner.accessToken, onItem('form.txt'), '--b\r\n\r\nx\r\n--b--', {
      'content-type': 'multipart/mixed; boundary=b',
    })
    expect(form.statusCode).toBe(415)
    expect(form.json().code).toBe('multipart_unsupported')

    const cases: [Record<string, string>, number, string][] = [
      [{ entity: 'catalog.item', filename: 'a' }, 400, 'record_id'],
      [{ entity: 'catalog.item', record_id: 'not-a-uuid', filename: 'a' }, 400, 'record_id'],
      [{ entity: 'Catalog Item', record_id: item.id, filename: 'a' }, 400, 'entity'],
      [{ entity: 'catalog.item', record_id: item.id }, 400, 'filename'],
      [{ entity: 'catalog.item', record_id: item.id, filename: '' }, 400, 'filename'],
      [{ ...onItem('a'), owner: owner.userId }, 400, 'owner'],
      [{ entity: 'catalog.nothing', record_id: item.id, filename: 'a' }, 404, 'entity'],
      [{ entity: 'catalog.label', record_id: item.id, filename: 'a' }, 404, 'record_id'],
      [onItem('a', '01900000-0000-7000-8000-000000000000'), 404, 'record_id'],
    ]
    for (const [query, status, field] of cases) {
      const res = await upload(t, owner.accessToken, query, 'content')
      expect(res.statusCode, `${JSON.stringify(query)}: ${res.body}`).toBe(status)
      expect(res.headers['content-type']).toContain('application/problem+json')
      if (field) expect(JSON.stringify(res.json().errors ?? [])).toContain(field)
    }
    expect(await stored()).toEqual(before)
  })

  it('answers 400 for a malformed file id or version and 404 for an unknown one', async () => {
    expect((await api(t, owner.accessToken, 'GET', '/api/v1/files/../../etc/passwd')).statusCode).toBe(404)
    expect((await api(t, owner.accessToken, 'GET', '/api/v1/files/x/content')).statusCode).toBe(400)
    const id = '01900000-0000-7000-8000-000000000000'
    expect((await api(t, owner.accessToken, 'GET', `/api/v1/files/${id}/content`)).statusCode).toBe(404)
    expect((await uploadVersion(t, owner.accessToken, id, 'x')).statusCode).toBe(404)
    const file = (await upload(t, owner.accessToken, onItem('v.txt'), 'v')).json()
    for (const version of ['0', '-1', '1.5', 'latest'])
      expect(
        (await api(t, owner.accessToken, 'GET', `/api/v1/files/${file.id}/content?version=${version}`))
          .statusCode,
      ).toBe(400)
  })
})

describe('archiving', () => {
  it('takes a file out of its record’s list and keeps its versions readable', async () => {
    const record = await create(t, owner.accessToken, 'catalog-items', { name: 'Archive', kind: 'good' })
    const file = (await upload(t, owner.accessToken, onItem('old.txt', record.id), 'old')).json()
    const gone = await api(t, owner.accessToken, 'DELETE', `/api/v1/files/${file.id}`)
    expect(gone.statusCode).toBe(204)
    expect((await api(t, owner.accessToken, 'DELETE', `/api/v1/files/${file.id}`)).statusCode).toBe(204)
    const list = `/api/v1/files?entity=catalog.item&record_id=${record.id}`
    expect((await api(t, owner.accessToken, 'GET', list)).json().data).toEqual([])
    const archived = (await api(t, owner.accessToken, 'GET', `${list}&include_archived=true`)).json().data
    expect(archived).toHaveLength(1)
    expect(archived[0].archived_at).not.toBeNull()
    expect((await download(file.id)).body).toBe('old')
    const refused = await uploadVersion(t, owner.accessToken, file.id, 'new')
    expect(refused.statusCode).toBe(422)
    expect(refused.json().code).toBe('file_archived')
    expect(
      (await api(t, owner.accessToken, 'GET', `/api/v1/files/${file.id}/versions`)).json().data,
    ).toHaveLength(1)
  })

  it('never changes or removes a stored version, even through SQL as the application', async () => {
    const file = (await upload(t, owner.accessToken, onItem('fixed.txt'), 'fixed')).json()
    for (const statement of [
      sql`update file_versions set sha256 = repeat('0', 64) where file_id = ${file.id}`,
      sql`delete from file_versions where file_id = ${file.id}`,
    ]) {
      await expect(
        withTenant(t.database.db, owner.tenantId, (trx) => statement.execute(trx)),
      ).rejects.toThrow(/permission denied/)
    }
    expect((await download(file.id)).body).toBe('fixed')
  })
})
