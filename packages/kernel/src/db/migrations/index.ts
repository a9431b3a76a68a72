export { ensureMigrationsTable, ensureRoles } from './bootstrap.ts'
export { MigrationChanged, migrate, pendingMigrations } from './migrate.ts'
export { checksumOf, loadMigrations, type Migration, type MigrationSource } from './source.ts'
