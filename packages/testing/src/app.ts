import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  createIdentityContext,
  createMailer,
  createRegistry,
  type IdentityContext,
  kernelMigrations,
  loadConfig,
  loadSecrets,
  type ModuleManifest,
  migrate,
  migrationSources,
  type TesseraConfig,
} from '@tessera/kernel'
import { buildApp, installedModules } from '@tessera/server'
import type { FastifyInstance } from 'fastify'
import { createTestDatabase, type TestDatabase } from './database.ts'

export interface TestApp {
  app: FastifyInstance
  database: TestDatabase
  identity: IdentityContext
  /** where mail goes without SMTP_URL (.eml files in `dir`), and what the mailer logged */
  mail: { dir: string; log: { obj: object; msg: string }[] }
  close(): Promise<void>
}

export interface TestAppOptions {
  /**
   * environment for loadConfig, e.g. { TESSERA_AUTH_RATE_LIMIT: '3' }; defaults suit tests.
   * SMTP_URL sends mail to that server (a real one on loopback); without it mail lands in files.
   */
  env?: Record<string, string>
  /** modules for this test besides the installed ones; their migrations run on this file's database */
  modules?: readonly ModuleManifest[]
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
  const registry = createRegistry([...installedModules, ...(options.modules ?? [])], config.modules)
  const migrations = migrationSources(kernelMigrations, registry)
  if (options.modules?.length) await migrate(database.db, migrations)
  const mailRoot = await mkdtemp(join(tmpdir(), 'tessera-mail-'))
  const mailLog: { obj: object; msg: string }[] = []
  const mailer = createMailer({
    smtpUrl: config.smtpUrl,
    from: config.mailFrom,
    dataDir: mailRoot,
    log: { info: (obj, msg) => void mailLog.push({ obj, msg }) },
  })
  const app = await buildApp({ database, migrations, identity, config, mailer, modules: registry })
  return {
    app,
    database,
    identity,
    mail: { dir: join(mailRoot, 'mail'), log: mailLog },
    async close() {
      await app.close()
      mailer.close()
      await database.close()
      await rm(mailRoot, { recursive: true, force: true })
    },
  }
}
