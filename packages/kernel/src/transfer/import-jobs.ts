import { sql } from 'kysely'
import type { Database } from '../db/open.ts'
import type { Tx } from '../db/schema.ts'
import { withTenant } from '../db/tenant.ts'
import { type EntityContext, entityContext } from '../entities/context.ts'
import { type EntityModel, loadModel } from '../entities/model.ts'
import { codeEntity } from '../entities/registry.ts'
import { NotFound, TesseraError } from '../errors/errors.ts'
import { newId } from '../ids.ts'
import type { Job, Jobs } from '../jobs/jobs.ts'
import { isModuleActive } from '../module/activation.ts'
import { type ImportInput, type ImportReport, prepareImport, writeRows } from './import.ts'
import { importActor } from './import-actor.ts'
import { type ImportView, toView } from './import-status.ts'
import { type ImportFailure, importsTx } from './imports-table.ts'
import { readTable } from './table.ts'

/** The job that runs a queued import (registered by the worker). */
export const IMPORT_JOB = 'kernel.import'

/** Attempts after the first: an attempt that dies half-way wrote nothing, so it can run again. */
const RETRIES = 2

/** How many rows between two progress writes. */
const PROGRESS_EVERY = 100

export interface ImportJobData {
  importId: string
}

/**
 * Queues an import in the request's transaction: the row (with the file) and its job commit
 * together, or neither does. The caller has prepared it (rights, file, mapping: prepareImport)
 * and called `jobs.prepare([IMPORT_JOB])` before opening the transaction.
 */
export async function queueImport(
  ctx: EntityContext,
  jobs: Jobs,
  model: EntityModel,
  input: Omit<ImportInput, 'dryRun'>,
  totalRows: number,
): Promise<ImportView> {
  const id = newId()
  const row = await importsTx(ctx.db)
    .insertInto('imports')
    .values({
      tenant_id: ctx.actor.tenantId,
      id,
      entity: model.key,
      format: input.format,
      mapping: input.mapping ? JSON.stringify(JSON.parse(input.mapping)) : null,
      file: input.body,
      total_rows: totalRows,
      created_by: ctx.actor.userId,
      api_key_id: ctx.actor.apiKeyId,
      request_id: ctx.requestId?.slice(0, 200) || null,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  await jobs.enqueue<ImportJobData>(
    IMPORT_JOB,
    { importId: id },
    { tenantId: ctx.actor.tenantId, transaction: ctx.db, retryLimit: RETRIES, expireInSeconds: 3600 },
  )
  return toView(row)
}

/**
 * Runs a queued import: as the member who started it (their rights as they are now), all or
 * nothing in one transaction that also writes the outcome, so `succeeded` is visible exactly
 * when the rows are. A bad row fails the import with every row's errors and writes no row.
 *
 * The progress goes in short transactions of its own while the import runs. On the embedded
 * database, which serves one connection, the import holds that connection until it commits:
 * requests wait for it, and the progress is written with the outcome.
 */
export function importJob(database: Pick<Database, 'db' | 'kind'>) {
  return async (job: Job<ImportJobData>): Promise<void> => {
    const { importId } = job.data
    const claimed = await job.inTenant((trx) =>
      importsTx(trx)
        .updateTable('imports')
        .set({
          status: 'running',
          started_at: sql<Date>`coalesce(started_at, now())`,
          updated_at: sql<Date>`now()`,
        })
        .where('id', '=', importId)
        .where('status', 'in', ['queued', 'running'])
        .returning(['entity', 'format', 'mapping', 'file', 'created_by', 'api_key_id', 'request_id'])
        .executeTakeFirst(),
    )
    // finished already (a retry after the outcome committed), or gone: nothing to do
    if (!claimed?.file) return
    const progress = progressWriter(database, job.tenantId, importId)
    try {
      await job.inTenant(async (trx) => {
        const actor = await importActor(trx, job.tenantId, claimed)
        const ctx = entityContext(trx, actor, claimed.request_id ?? undefined)
        const model = await importableModel(ctx, claimed.entity)
        const table = await readTable(claimed.file as Buffer, claimed.format)
        const mapping = claimed.mapping ? JSON.stringify(claimed.mapping) : undefined
        const prepared = await prepareImport(ctx, model, table, mapping)
        const report = await writeRows(ctx, prepared, { dryRun: false, onProgress: progress })
        await finish(trx, importId, report)
      })
    } catch (err) {
      const known = err instanceof TesseraError
      // an unexpected error (the database went away, ...) is retried: the attempt wrote nothing
      if (!known && job.retryCount < RETRIES) throw err
      const failure: ImportFailure = known
        ? { code: err.code, message: err.message }
        : {
            code: 'import_error',
            message: 'The import stopped on an unexpected error; nothing was imported.',
          }
      await job.inTenant((trx) => fail(trx, importId, failure))
      if (!known) throw err
    }
  }
}

/** Writes `processed` now and then, in its own transaction, on a database with connections to spare. */
function progressWriter(database: Pick<Database, 'db' | 'kind'>, tenantId: string, importId: string) {
  if (database.kind === 'embedded') return undefined
  return async (processed: number) => {
    if (processed % PROGRESS_EVERY !== 0) return
    await withTenant(database.db, tenantId, (trx) =>
      importsTx(trx)
        .updateTable('imports')
        .set({ processed_rows: processed, updated_at: sql<Date>`now()` })
        .where('id', '=', importId)
        .where('status', '=', 'running')
        .execute(),
    )
  }
}

/** The entity as the tenant defines it now; 404 when it is gone or its module was deactivated. */
async function importableModel(ctx: EntityContext, key: string): Promise<EntityModel> {
  const model = await loadModel(ctx.db, key)
  const active = !codeEntity(key) || (await isModuleActive(ctx.db, key.slice(0, key.indexOf('.'))))
  if (!model || !active) throw new NotFound('The entity of this import no longer exists.', 'unknown_resource')
  return model
}

async function finish(trx: Tx, id: string, report: ImportReport): Promise<void> {
  await importsTx(trx)
    .updateTable('imports')
    .set({
      status: report.invalid > 0 ? 'failed' : 'succeeded',
      processed_rows: report.rows,
      created_rows: report.created,
      invalid_rows: report.invalid,
      errors: JSON.stringify(report.errors),
      errors_truncated: report.errors_truncated,
      file: null,
      updated_at: sql<Date>`now()`,
      finished_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .execute()
}

async function fail(trx: Tx, id: string, failure: ImportFailure): Promise<void> {
  await importsTx(trx)
    .updateTable('imports')
    .set({
      status: 'failed',
      failure: JSON.stringify(failure),
      file: null,
      updated_at: sql<Date>`now()`,
      finished_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .execute()
}
