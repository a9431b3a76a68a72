import { PassThrough, type Readable } from 'node:stream'
import {
  type Actor,
  type Db,
  type EntityModel,
  type ExportQuery,
  entityContext,
  openExport,
  type Tx,
  withTenant,
  writeCsv,
  writeXlsx,
} from '@tessera/kernel'

export interface ExportStream {
  body: Readable
  model: EntityModel
}

/**
 * Runs an export in the member's tenant transaction and streams it. The promise settles once the
 * request is known to be good — rights, filter, columns and first page checked — so a bad request
 * is an ordinary problem response; from then on pages are written as the client reads them, and
 * a failure midway cuts the download short (its error goes to the log).
 */
export function exportStream(
  db: Db,
  actor: Actor,
  requestId: string,
  resolve: (trx: Tx) => Promise<EntityModel>,
  format: 'csv' | 'xlsx',
  query: ExportQuery,
  onLateError: (err: unknown) => void,
): Promise<ExportStream> {
  return new Promise((ready, fail) => {
    let body: PassThrough | undefined
    withTenant(db, actor.tenantId, async (trx) => {
      const model = await resolve(trx)
      const table = await openExport(entityContext(trx, actor, requestId), model, query)
      const out = new PassThrough()
      // a client that leaves mid-download destroys the stream; a late write then errors, and the
      // writer stops on it (stream-write.ts): nothing to report, and it must not go unhandled
      out.on('error', () => {})
      body = out
      ready({ body: out, model })
      await (format === 'csv' ? writeCsv : writeXlsx)(out, table.headers, table.rows)
    }).catch((err) => {
      if (!body) return fail(err)
      onLateError(err)
      body.destroy(err instanceof Error ? err : new Error(String(err)))
    })
  })
}
