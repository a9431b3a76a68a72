import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** Where a module keeps its migrations: a folder of numbered `.sql` files. */
export interface MigrationSource {
  module: string
  dir: string
}

export interface Migration {
  /** `module/file`, e.g. `kernel/0002_tenancy.sql`; the key recorded once applied. */
  id: string
  sql: string
  checksum: string
}

const FILE = /^\d{4}_[a-z0-9_]+\.sql$/

/** Reads every source's migrations, in source order then file order. */
export function loadMigrations(sources: readonly MigrationSource[]): Migration[] {
  return sources.flatMap((source) =>
    readdirSync(source.dir)
      .filter((file) => FILE.test(file))
      .sort()
      .map((file) => {
        const text = readFileSync(join(source.dir, file), 'utf8')
        return { id: `${source.module}/${file}`, sql: text, checksum: checksumOf(text) }
      }),
  )
}

/** Line endings are normalised so a checkout with CRLF does not count as a changed migration. */
export function checksumOf(text: string): string {
  return createHash('sha256').update(text.replace(/\r\n/g, '\n')).digest('hex')
}
