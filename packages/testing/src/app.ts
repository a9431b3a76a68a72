import { buildApp } from '@tessera/server'
import type { FastifyInstance } from 'fastify'
import { createTestDatabase, type TestDatabase } from './database.ts'
import { allMigrations } from './template.ts'

export interface TestApp {
  app: FastifyInstance
  database: TestDatabase
  close(): Promise<void>
}

/**
 * The real HTTP application on this test file's own database. Tests may add routes to `app`
 * before their first request (Fastify allows it until the app is ready).
 */
export async function createTestApp(): Promise<TestApp> {
  const database = await createTestDatabase()
  const app = await buildApp({
    database,
    migrations: allMigrations(),
    config: { bodyLimit: 1_048_576, logLevel: 'silent' },
  })
  return {
    app,
    database,
    async close() {
      await app.close()
      await database.close()
    },
  }
}
