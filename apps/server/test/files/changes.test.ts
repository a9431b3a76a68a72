import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { withTenant } from '@tessera/kernel'
import { createTestApp, type TestApp } from '@tessera/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SignedUp } from '../auth/helpers.ts'
import { api, create, tenantWith } from '../entities/helpers.ts'
import { catalogModule } from '../fixtures/modules/catalog.ts'
import { upload, uploadVersion } from './helpers.ts'

/** File changes are audited and evented like record changes, in the transaction that made them. */
let t: TestApp
let owner: SignedUp
let dataDir: string
let item: { id: string }
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tessera-file-changes-'))
  t = await createTestApp({ modules: [catalogModule], env: { TESSERA_DATA_DIR: dataDir } })
  owner = await tenantWith(t, ['catalog'])
  item = await create(t, owner.accessToken, 'catalog-items', { name: 'Widget', kind: 'good' })
})
afterAll(async () => {
  await t?.close()
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

interface AuditRow {
  action: string
  user_id: string | null
  request_id: string | null
  old_values: Record<string, unknown> | null
  new_values: Record<string, unknown> | null
}

async function outbox(fileId: string) {
  return withTenant(t.database.db, owner.tenantId, async (trx) => {
    const { rows } = await sql<{
      type: string
      entity: string
      request_id: string | null
      actor_user_id: string | null
      payload: { record: Record<string, unknown>; changed: string[] }
    }>`select type, entity, request_id, actor_user_id, payload from event_outbox
        where record_id = ${fileId}::uuid order by id`.execute(trx)
    return rows
  })
}

describe('file changes', () => {
  it('upload, new version and archive each write an audit row and an outbox event', async () => {
    const query = { entity: 'catalog.item', record_id: item.id, filename: 'notes.txt' }
    const uploaded = await upload(t, owner.accessToken, query, 'first draft', { 'x-request-id': 'file-up-1' })
    expect(uploaded.statusCode, uploaded.body).toBe(201)
    const file = uploaded.json()
    const versioned = await uploadVersion(t, owner.accessToken, file.id, 'second draft', 'notes-v2.txt')
    expect(versioned.statusCode, versioned.body).toBe(201)
    const archived = await api(t, owner.accessToken, 'DELETE', `/api/v1/files/${file.id}`)
    expect(archived.statusCode, archived.body).toBe(204)

    const res = await api(t, owner.accessToken, 'GET', `/api/v1/audit?entity=kernel.file&record=${file.id}`)
    expect(res.statusCode, res.body).toBe(200)
    const [archive, version, first] = res.json().data as AuditRow[]
    expect(first).toMatchObject({
      action: 'upload',
      user_id: owner.userId,
      request_id: 'file-up-1',
      old_values: null,
      new_values: { name: 'notes.txt', current_version: 1, entity: 'catalog.item', record_id: item.id },
    })
    expect(version).toMatchObject({
      action: 'version',
      old_values: { name: 'notes.txt', current_version: 1 },
      new_values: { name: 'notes-v2.txt', current_version: 2 },
    })
    expect(archive).toMatchObject({ action: 'archive', old_values: { archived_at: null } })
    expect(archive?.new_values?.archived_at).toEqual(expect.any(String))

    const events = await outbox(file.id)
    expect(events.map((e) => e.type)).toEqual([
      'kernel.file.uploaded',
      'kernel.file.versioned',
      'kernel.file.archived',
    ])
    expect(events[0]).toMatchObject({
      entity: 'kernel.file',
      request_id: 'file-up-1',
      actor_user_id: owner.userId,
      payload: { record: { id: file.id, name: 'notes.txt' }, changed: [] },
    })
    expect(events[1]?.payload.changed).toEqual(expect.arrayContaining(['current_version', 'name', 'sha256']))
  })

  it('a refused upload records nothing', async () => {
    const other = await tenantWith(t, ['catalog'])
    const query = { entity: 'catalog.item', record_id: item.id, filename: 'sneaky.txt' }
    const res = await upload(t, other.accessToken, query, 'not yours')
    expect(res.statusCode).toBe(404)
    const recorded = await withTenant(t.database.db, other.tenantId, async (trx) => {
      const { rows } = await sql<{ n: number }>`
        select (select count(*)::int from audit_log where entity = 'kernel.file')
             + (select count(*)::int from event_outbox where entity = 'kernel.file') as n`.execute(trx)
      return rows[0]?.n
    })
    expect(recorded).toBe(0)
  })
})
