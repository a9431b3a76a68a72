import { startServer } from '@tessera/server'

export async function startCommand(): Promise<void> {
  await startServer()
}
