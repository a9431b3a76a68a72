import { Type } from '@sinclair/typebox'
import { type Database, type MigrationSource, pendingMigrations } from '@tessera/kernel'
import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { sendProblem } from './problem.ts'

export interface HealthOptions {
  database: Database
  migrations: readonly MigrationSource[]
}

const Status = Type.Object({ status: Type.String() })

/** Liveness (the process answers) and readiness (database reachable, schema current). */
export async function healthRoutes(
  app: FastifyInstance,
  { database, migrations }: HealthOptions,
): Promise<void> {
  app.get(
    '/healthz',
    { schema: { tags: ['health'], security: [], summary: 'The process is up', response: { 200: Status } } },
    async () => ({ status: 'ok' }),
  )

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        security: [],
        summary: 'The database is reachable and every migration is applied',
        response: { 200: Status, 503: { $ref: 'Problem#' } },
      },
    },
    async (request, reply) => {
      try {
        await sql`select 1`.execute(database.db)
      } catch (err) {
        request.log.warn({ err }, 'readiness: database unreachable')
        return sendProblem(request, reply, 503, 'database_unreachable', 'The database cannot be reached.')
      }
      try {
        const pending = await pendingMigrations(database.db, migrations)
        if (pending.length > 0) {
          return sendProblem(
            request,
            reply,
            503,
            'migrations_pending',
            `${pending.length} migration(s) not applied.`,
          )
        }
      } catch (err) {
        request.log.warn({ err }, 'readiness: migrations not current')
        return sendProblem(request, reply, 503, 'migrations_changed', 'An applied migration was changed.')
      }
      return { status: 'ready' }
    },
  )
}
