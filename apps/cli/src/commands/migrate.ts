import { migrate } from '@tessera/kernel'
import { openRuntime } from '@tessera/server'

export async function migrateCommand(): Promise<void> {
  const { database, migrations } = await openRuntime()
  try {
    const { applied } = await migrate(database.db, migrations)
    process.stdout.write(
      applied.length === 0
        ? 'Database is up to date.\n'
        : `Applied ${applied.length} migration(s):\n${applied.map((id) => `  ${id}\n`).join('')}`,
    )
  } finally {
    await database.close()
  }
}
