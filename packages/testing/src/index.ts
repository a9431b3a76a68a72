export { createTestApp, type TestApp, type TestAppOptions } from './app.ts'
export { type CliResult, runCli, spawnCli } from './cli.ts'
export {
  createBlankServerDatabase,
  createEmptyDatabase,
  createTestDatabase,
  onServer,
  type TestDatabase,
} from './database.ts'
export {
  type OidcAccount,
  type OidcProviderOptions,
  startOidcProvider,
  type TestOidcProvider,
} from './oidc.ts'
export { allGlobalTables, allMigrations, type Template } from './template.ts'
