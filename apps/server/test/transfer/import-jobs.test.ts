import { setTimeout as sleep } from 'node:timers/promises'
import { createJobs, createRegistry, type Jobs, withTenant } from '@tessera/kernel'
import { createTestApp, type TestApp } from '@tessera/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startWorker, type Worker } from '../../src/events/worker.ts'
import { installedModules } from '../../src/modules.ts'
import { addMember, createRole, type Member } from '../access/helpers.ts'
import type { SignedUp } from '../auth/helpers.ts'
import { api, tenantWith } from '../entities/helpers.ts'
import { multipartBody } from '../files/helpers.ts'
import { catalogModule } from '../fixtures/modules/catalog.ts'
import { importFile } from './helpers.ts'

/** Large imports as jobs: 202 and a Location to poll, all or nothing, visible to whom it concerns. */
const ASYNC_ROWS = 5
const BODY_LIMIT = 64 * 1024
let t: TestApp
let jobs: Jobs
let worker: Worker
let owner: SignedUp
let stranger: SignedUp
let creator: Member
let importer: Member
beforeAll(async () => {
  t = await createTestApp({
    modules: [catalogModule],
    env: { TESSERA_IMPORT_ASYNC_ROWS: String(ASYNC_ROWS), TESSERA_BODY_LIMIT: String(BODY_LIMIT) },
  })
  jobs = createJobs(t.database, { worker: true, pollingIntervalSeconds: 0.5 })
  worker = await startWorker({
    database: t.database,
    registry: createRegistry([...installedModules, catalogModule]),
    sealingKey: t.identity.sealingKey,
    config: { natsUrl: undefined, outboundAllow: [] },
    jobs,
  })
  owner = await tenantWith(t, ['catalog'])
  stranger = await tenantWith(t, ['catalog'])
  await createRole(t, owner.accessToken, 'creator', ['catalog.item:read', 'catalog.item:create'])
  await createRole(t, owner.accessToken, 'importer', [
    'catalog.item:read',
    'catalog.item:create',
    'catalog.item:import',
  ])
  creator = await addMember(t, owner, ['creator'])
  importer = await addMember(t, owner, ['importer'])
})
afterAll(async () => {
  await worker?.stop()
  await jobs?.stop()
  await t?.close()
})

interface ImportView {
  id: string
  status: string
  total_rows: number
  processed_rows: number
  created_rows: number
  invalid_rows: number
  errors: { row: number; field: string; code: string }[]
  failure: { code: string } | null
  created_by: string
}

const csvOf = (names: string[], kind = () => 'good') =>
  ['name,kind', ...names.map((name) => `${name},${kind()}`)].join('\r\n')
const namesLike = (prefix: string, n: number) => Array.from({ length: n }, (_x, i) => `${prefix} ${i + 1}`)

/** GET the import until it is done: the worker polls every half second. */
async function finished(token: string, id: string): Promise<ImportView> {
  for (;;) {
    const res = await api(t, token, 'GET', `/api/v1/imports/${id}`)
    expect(res.statusCode, res.body).toBe(200)
    const view = res.json() as ImportView
    if (view.status === 'succeeded' || view.status === 'failed') return view
    await sleep(200)
  }
}

async function itemNames(prefix: string): Promise<string[]> {
  return withTenant(t.database.db, owner.tenantId, async (trx) => {
    const { rows } = await sql<{ name: string }>`
      select name from catalog_items where name like ${`${prefix}%`} order by name`.execute(trx)
    return rows.map((r) => r.name)
  })
}

describe('an import larger than the threshold', () => {
  it('is queued (202 + Location), then writes every row and reports its progress at the total', async () => {
    const names = namesLike('Queued', ASYNC_ROWS * 2 + 1)
    const res = await importFile(t, owner.accessToken, 'catalog-items', csvOf(names))
    expect(res.statusCode, res.body).toBe(202)
    const queued = res.json() as ImportView
    expect(queued).toMatchObject({ status: 'queued', total_rows: names.length, processed_rows: 0 })
    expect(res.headers.location).toBe(`/api/v1/imports/${queued.id}`)

    const done = await finished(owner.accessToken, queued.id)
    expect(done).toMatchObject({
      status: 'succeeded',
      total_rows: names.length,
      processed_rows: names.length,
      created_rows: names.length,
      invalid_rows: 0,
      errors: [],
      failure: null,
      created_by: owner.userId,
    })
    expect(await itemNames('Queued')).toEqual([...names].sort())
    // the file is not kept once the import is done
    const kept = await withTenant(t.database.db, owner.tenantId, async (trx) => {
      const { rows } = await sql<{
        file: Buffer | null
      }>`select file from imports where id = ${queued.id}::uuid`.execute(trx)
      return rows[0]?.file
    })
    expect(kept).toBeNull()
  })

  it('one bad row fails it: every row’s errors reported, nothing written', async () => {
    const names = namesLike('Doomed', ASYNC_ROWS + 3)
    let n = 0
    const csv = csvOf(names, () => (++n === 4 ? 'nonsense' : 'good'))
    const res = await importFile(t, owner.accessToken, 'catalog-items', csv)
    expect(res.statusCode, res.body).toBe(202)
    const done = await finished(owner.accessToken, res.json().id)
    expect(done).toMatchObject({
      status: 'failed',
      processed_rows: names.length,
      created_rows: 0,
      invalid_rows: 1,
      failure: null,
    })
    expect(done.errors).toEqual([expect.objectContaining({ row: 5, field: 'kind' })])
    expect(await itemNames('Doomed')).toEqual([])
  })

  it('?async=true queues a small file too; a dry run stays synchronous', async () => {
    const dry = await importFile(t, owner.accessToken, 'catalog-items', csvOf(['Dry 1']), {
      query: { async: 'true', dry_run: 'true' },
    })
    expect(dry.statusCode, dry.body).toBe(200)
    expect(dry.json()).toMatchObject({ dry_run: true, rows: 1, valid: 1, created: 0 })

    const res = await importFile(t, owner.accessToken, 'catalog-items', csvOf(['Asked 1', 'Asked 2']), {
      query: { async: 'true' },
    })
    expect(res.statusCode, res.body).toBe(202)
    expect(await finished(owner.accessToken, res.json().id)).toMatchObject({
      status: 'succeeded',
      created_rows: 2,
    })
    expect(await itemNames('Asked')).toEqual(['Asked 1', 'Asked 2'])
    expect(await itemNames('Dry')).toEqual([])
  })

  it('a retried request with the same Idempotency-Key gets the same import back', async () => {
    const send = () =>
      importFile(t, owner.accessToken, 'catalog-items', csvOf(['Once 1']), {
        query: { async: 'true' },
        headers: { 'idempotency-key': 'import-once-1' },
      })
    const first = await send()
    const again = await send()
    expect(first.statusCode, first.body).toBe(202)
    expect(again.statusCode).toBe(202)
    expect(again.headers['idempotent-replayed']).toBe('true')
    expect(again.json().id).toBe(first.json().id)
    expect(again.headers.location).toBe(first.headers.location)
    await finished(owner.accessToken, first.json().id)
    expect(await itemNames('Once')).toEqual(['Once 1'])
  })

  it('a multipart form’s file part is imported like a raw body', async () => {
    const { payload, contentType } = multipartBody([
      { name: 'file', filename: 'items.csv', type: 'text/csv', content: csvOf(['Form 1', 'Form 2']) },
    ])
    const res = await importFile(t, owner.accessToken, 'catalog-items', payload, { type: contentType })
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json()).toMatchObject({ rows: 2, created: 2 })
    expect(await itemNames('Form')).toEqual(['Form 1', 'Form 2'])
  })

  it('a multipart file over the body limit is 413 and writes nothing', async () => {
    const names = namesLike('Huge', 5000)
    const { payload, contentType } = multipartBody([
      { name: 'file', filename: 'huge.csv', type: 'text/csv', content: csvOf(names) },
    ])
    expect(payload.length).toBeGreaterThan(BODY_LIMIT)
    const res = await importFile(t, owner.accessToken, 'catalog-items', payload, { type: contentType })
    expect(res.statusCode, res.body).toBe(413)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(res.json().code).toBe('file_too_large')
    expect(await itemNames('Huge')).toEqual([])
  })

  it('a multipart form without a file part is 400 naming the field', async () => {
    const { payload, contentType } = multipartBody([{ name: 'note', content: 'no file here' }])
    const res = await importFile(t, owner.accessToken, 'catalog-items', payload, { type: contentType })
    expect(res.statusCode, res.body).toBe(400)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(res.json().errors).toEqual([expect.objectContaining({ field: 'file', code: 'file_part_missing' })])
  })
})

describe('progress', () => {
  // two transactions at once need a database server: the embedded one serves one connection
  it.skipIf(!process.env.TESSERA_TEST_DATABASE_URL)(
    'is visible while the import runs: written in transactions of its own',
    async () => {
      const rows = 250
      const csv = [
        'name,kind,code',
        ...namesLike('Progress', rows).map(
          (name, i) => `${name},good,${i === 200 ? 'HD-999' : `PG-${String(i).padStart(3, '0')}`}`,
        ),
      ].join('\r\n')
      // an uncommitted item with code HD-999 makes the import wait at row 201 for this transaction
      let release = () => {}
      const released = new Promise<void>((resolve) => {
        release = resolve
      })
      let holding = () => {}
      const held = new Promise<void>((resolve) => {
        holding = resolve
      })
      const holder = withTenant(t.database.db, owner.tenantId, async (trx) => {
        await sql`insert into catalog_items (tenant_id, id, name, kind, code)
          values (${owner.tenantId}::uuid, gen_random_uuid(), 'Holder', 'good', 'HD-999')`.execute(trx)
        holding()
        await released
        throw new Error('rolled back on purpose')
      }).catch(() => {})
      await held
      let id: string
      try {
        const res = await importFile(t, owner.accessToken, 'catalog-items', csv)
        expect(res.statusCode, res.body).toBe(202)
        id = res.json().id as string
        // rows 1-200 are done and the job waits at row 201: the progress says 200 while running
        for (;;) {
          const view = (await api(t, owner.accessToken, 'GET', `/api/v1/imports/${id}`)).json() as ImportView
          expect(view.status).not.toBe('succeeded')
          if (view.processed_rows === 200) {
            expect(view).toMatchObject({ status: 'running', total_rows: rows, created_rows: 0 })
            break
          }
          await sleep(100)
        }
      } finally {
        release()
      }
      await holder
      expect(await finished(owner.accessToken, id)).toMatchObject({
        status: 'succeeded',
        processed_rows: rows,
        created_rows: rows,
      })
    },
  )
})

describe('who sees an import', () => {
  it('its starter and holders of the import right; not another member, not another tenant', async () => {
    const res = await importFile(t, importer.token, 'catalog-items', csvOf(['Seen 1']), {
      query: { async: 'true' },
    })
    expect(res.statusCode, res.body).toBe(202)
    const id = res.json().id as string
    await finished(importer.token, id)
    expect((await api(t, owner.accessToken, 'GET', `/api/v1/imports/${id}`)).statusCode).toBe(200)
    expect((await api(t, creator.token, 'GET', `/api/v1/imports/${id}`)).statusCode).toBe(404)
    const foreign = await api(t, stranger.accessToken, 'GET', `/api/v1/imports/${id}`)
    expect(foreign.statusCode).toBe(404)
    expect(foreign.body).not.toContain('Seen 1')

    const listed = (token: string) =>
      api(t, token, 'GET', '/api/v1/imports?limit=100').then((r) =>
        (r.json().data as ImportView[]).map((i) => i.id),
      )
    expect(await listed(importer.token)).toContain(id)
    expect(await listed(owner.accessToken)).toContain(id)
    expect(await listed(creator.token)).not.toContain(id)
    expect(await listed(stranger.accessToken)).toEqual([])
  })

  it('a member without the import right cannot start one (403), even asynchronously', async () => {
    const res = await importFile(
      t,
      creator.token,
      'catalog-items',
      csvOf(namesLike('Denied', ASYNC_ROWS + 1)),
    )
    expect(res.statusCode).toBe(403)
    expect(res.json().code).toBe('permission_required')
    expect(await itemNames('Denied')).toEqual([])
  })
})
