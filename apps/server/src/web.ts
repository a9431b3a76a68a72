import { existsSync } from 'node:fs'
import { readdir, rename, rm, stat } from 'node:fs/promises'
import { join, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'

const WEB_ROOT = fileURLToPath(new URL('../../web', import.meta.url))
const DIST = join(WEB_ROOT, 'dist')
/** Shown when the app has not been built (a server started without `tessera start`, e.g. in tests). */
const PLACEHOLDER = join(WEB_ROOT, 'public')
/** What the built app depends on: a change to any of them makes dist stale. */
const SOURCES = ['src', 'index.html', 'vite.config.ts', 'package.json']

async function newestChange(path: string): Promise<number> {
  const info = await stat(path).catch(() => null)
  if (!info) return 0
  if (!info.isDirectory()) return info.mtimeMs
  const entries = await readdir(path)
  const times = await Promise.all(entries.map((entry) => newestChange(join(path, entry))))
  return Math.max(info.mtimeMs, ...times)
}

/** The built app is missing or older than one of its sources. */
export async function webBuildIsStale(): Promise<boolean> {
  const built = await stat(join(DIST, 'index.html')).catch(() => null)
  if (!built) return true
  const sources = await Promise.all(SOURCES.map((s) => newestChange(join(WEB_ROOT, s))))
  return Math.max(...sources) > built.mtimeMs
}

/**
 * Builds apps/web into apps/web/dist with Vite when the build is missing or stale. The build goes
 * to a folder of its own and is then renamed into place, so a server reading dist never sees half
 * a build and two processes building at once (parallel test files) do not corrupt each other.
 */
export async function ensureWebBuilt(log: (message: string) => void = () => {}): Promise<void> {
  if (!(await webBuildIsStale())) return
  const started = Date.now()
  log('Building the web app (apps/web → apps/web/dist)…')
  const unique = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`
  const fresh = join(WEB_ROOT, `.dist-${unique}`)
  const { build } = await import('vite')
  // Vite builds for whatever NODE_ENV says (vitest sets "test"): the app is always the production build
  const nodeEnv = process.env.NODE_ENV
  process.env.NODE_ENV = 'production'
  try {
    await build({
      root: WEB_ROOT,
      configFile: join(WEB_ROOT, 'vite.config.ts'),
      logLevel: 'warn',
      build: { outDir: fresh, emptyOutDir: true },
    })
    // another process (a parallel test file) may have put the same build in place meanwhile: keep it
    if (await webBuildIsStale()) {
      const old = join(WEB_ROOT, `.dist-old-${unique}`)
      await rename(DIST, old).catch(() => {})
      await rename(fresh, DIST).catch(() => {})
      await rm(old, { recursive: true, force: true })
    }
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV
    else process.env.NODE_ENV = nodeEnv
    await rm(fresh, { recursive: true, force: true })
  }
  log(`Built the web app in ${((Date.now() - started) / 1000).toFixed(1)} s.`)
}

/** `tessera start`: build the app if needed; a failed build is logged and the API still starts. */
export async function prepareWebApp(log: (message: string) => void): Promise<void> {
  try {
    await ensureWebBuilt(log)
  } catch (err) {
    log(`Could not build the web app (${(err as Error).message}); serving the API without it.`)
  }
}

/**
 * The web app's files at `/`: the built app when there is one (hashed assets cached for good,
 * index.html revalidated), and for any other path outside /api its index.html, so the app's own
 * routes (/e/partners.partner, /reset-password) load on a reload or from a link.
 */
export async function registerWeb(app: FastifyInstance): Promise<void> {
  const built = existsSync(join(DIST, 'index.html'))
  const root = built ? DIST : PLACEHOLDER
  await app.register(fastifyStatic, {
    root,
    wildcard: false,
    index: 'index.html',
    // the caching below, not send's default `max-age=0`
    cacheControl: false,
    setHeaders: (res, path) => {
      res.setHeader(
        'cache-control',
        path.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
      )
    },
  })
  app.get('/*', { schema: { hide: true } }, (request, reply) => {
    // an API path stays a problem+json 404; a missing asset too (an old page's script, not HTML)
    if (/^\/(api|assets)(\/|\?|$)/.test(request.url)) return reply.callNotFound()
    return reply.sendFile('index.html', root)
  })
}
