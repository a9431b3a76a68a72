import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'

const PUBLIC = fileURLToPath(new URL('../../web/public', import.meta.url))

/** The web app's files, served at `/`. */
export async function registerWeb(app: FastifyInstance): Promise<void> {
  await app.register(fastifyStatic, { root: PUBLIC, wildcard: false, index: 'index.html' })
}
