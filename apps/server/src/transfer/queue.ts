import type { Jobs } from '@tessera/kernel'

/**
 * What the import routes need to run large imports as jobs: the process's job queue and the row
 * count above which an import is queued (TESSERA_IMPORT_ASYNC_ROWS). Without it, every import
 * runs inside its request.
 */
export interface ImportQueue {
  jobs: Jobs
  asyncRows: number
}
