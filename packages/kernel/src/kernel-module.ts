import { fileURLToPath } from 'node:url'
import type { MigrationSource } from './db/migrations/source.ts'

/** The kernel's own migrations, applied before any module's. */
export const kernelMigrations: MigrationSource = {
  module: 'kernel',
  dir: fileURLToPath(new URL('../migrations', import.meta.url)),
}

/** The kernel's tables that carry no tenant_id, by design. */
export const kernelGlobalTables = [
  'tenants',
  'currencies',
  'tessera_migrations',
  'users',
  'login_throttle',
  'user_tenants',
  'user_tokens',
] as const
