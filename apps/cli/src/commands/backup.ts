import { backupDatabase, loadConfig, restoreDatabase } from '@tessera/kernel'
import { openRuntime } from '@tessera/server'

export async function backupCommand(options: { out: string }): Promise<void> {
  const { database } = await openRuntime()
  try {
    await backupDatabase(database, options.out)
    process.stdout.write(`Backup written to ${options.out}.\n`)
  } finally {
    await database.close()
  }
}

export async function restoreCommand(options: { in: string }): Promise<void> {
  const config = loadConfig()
  await restoreDatabase(
    config.databaseUrl
      ? { kind: 'server', url: config.databaseUrl }
      : { kind: 'embedded', dataDir: config.dataDir },
    options.in,
  )
  process.stdout.write(`Restored ${options.in}.\n`)
}
