import { runWorker } from '@tessera/server'

export async function workerCommand(): Promise<void> {
  await runWorker()
}
