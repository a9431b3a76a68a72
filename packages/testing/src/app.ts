import { randomBytes } from 'node:crypto'
import {
  createIdentityContext,
  type IdentityContext,
  loadConfig,
  loadSecrets,
  type TesseraConfig,
} from '@tessera/kernel'
import { buildApp } from '@tessera/server'
import type { FastifyInstance } from 'fastify'
import { createTestDatabase, type TestDatabase } from './database.ts'
import { allMigrations } from './template.ts'

export interface TestApp {
  app: FastifyInstance
  database: TestDatabase
  identity: IdentityContext
  close(): Promise<void>
}

export interface TestAppOptions {
  /** environment for loadConfig, e.g. { TESSERA_AUTH_RATE_LIMIT: '3' }; defaults suit tests */
  env?: Record<string, string>
}

/**
 * The real HTTP application on this test file's own database. Tests may add routes to `app`
 * before their first request (Fastify allows it until the app is ready).
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const config: TesseraConfig = loadConfig({
    LOG_LEVEL: 'silent',
    // generous by default so tests are not throttled by each other; rate-limit tests lower it
    TESSERA_AUTH_RATE_LIMIT: '100000',
    TESSERA_LOGIN_DELAY_MS: '0',
    ...options.env,
  })
  const database = await createTestDatabase()
  const secrets = loadSecrets({
    dataDir: config.dataDir,
    env: { TESSERA_SECRET: randomBytes(32).toString('hex') },
  })
  const identity = createIdentityContext(database.db, secrets, config.loginDelayMs)
  const app = await buildApp({ database, migrations: allMigrations(), identity, config })
  return {
    app,
    database,
    identity,
    async close() {
      await app.close()
      await database.close()
    },
  }
}
