import { resolve } from 'node:path'
import { outboundPolicy } from './outbound/policy.ts'

/**
 * Every environment variable Tessera reads, with its default. The README's configuration table
 * mirrors this list; keep the two in step.
 */
export interface TesseraConfig {
  /** PORT, default 3000 */
  port: number
  /** HOST, default 127.0.0.1 (set 0.0.0.0 to listen on every interface) */
  host: string
  /** DATABASE_URL: a PostgreSQL server; unset means the embedded database */
  databaseUrl: string | undefined
  /** TESSERA_DATA_DIR, default ./data: the embedded database's folder */
  dataDir: string
  /** TESSERA_MODULES: comma-separated module names; unset means every installed module */
  modules: string[] | undefined
  /** LOG_LEVEL, default info */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  /** TESSERA_BODY_LIMIT, default 1048576: the largest request body in bytes */
  bodyLimit: number
  /** TESSERA_FILE_LIMIT, default 26214400 (25 MiB): the largest file upload in bytes */
  fileLimit: number
  /** TESSERA_IMPORT_ASYNC_ROWS, default 1000: imports of more data rows run as jobs (202 + polling) */
  importAsyncRows: number
  /** TESSERA_TRUST_PROXY, default false: trust X-Forwarded-* (set when behind a reverse proxy) */
  trustProxy: boolean
  /** TESSERA_AUTH_RATE_LIMIT, default 30: requests per minute per IP on each sign-in route */
  authRateLimit: number
  /** REDIS_URL: shared rate-limit store for several API nodes; unset keeps counts in memory */
  redisUrl: string | undefined
  /** SMTP_URL: where mail goes; unset writes .eml files under the data folder */
  smtpUrl: string | undefined
  /** MAIL_FROM, default "Tessera <no-reply@localhost>" */
  mailFrom: string
  /** TESSERA_LOGIN_DELAY_MS, default 250: base of the growing delay after 5 failed logins */
  loginDelayMs: number
  /**
   * TESSERA_PUBLIC_URL, default http://localhost:PORT: where users reach Tessera, for links in
   * mail. Configured, never taken from a request's Host header, which anyone can set.
   */
  publicUrl: string
  /**
   * TESSERA_OUTBOUND_ALLOW, default none: comma-separated host names, addresses or networks (CIDR)
   * that outbound calls (SSO discovery, webhooks) may reach although loopback or private.
   */
  outboundAllow: string[]
  /** TESSERA_DEMO, default true: `start` on a database without tenants creates a demo tenant */
  demo: boolean
  /** NATS_URL: NATS JetStream, where domain events also go (stream TESSERA_EVENTS); unset: not sent */
  natsUrl: string | undefined
  /** TESSERA_WORKER, default on: `start` also runs the jobs and event delivery (off: `tessera worker` does) */
  worker: boolean
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ConfigError'
  }
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

export function loadConfig(env: NodeJS.ProcessEnv = process.env): TesseraConfig {
  const level = env.LOG_LEVEL ?? 'info'
  if (!(LEVELS as readonly string[]).includes(level)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LEVELS.join(', ')}; got "${level}".`)
  }
  const databaseUrl = env.DATABASE_URL?.trim() || undefined
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be a postgres:// or postgresql:// URL.')
  }
  const port = integer(env, 'PORT', 3000, 0, 65535)
  return {
    port,
    host: env.HOST?.trim() || '127.0.0.1',
    databaseUrl,
    dataDir: resolve(env.TESSERA_DATA_DIR?.trim() || 'data'),
    modules: env.TESSERA_MODULES?.trim()
      ? env.TESSERA_MODULES.split(',')
          .map((name) => name.trim())
          .filter(Boolean)
      : undefined,
    logLevel: level as TesseraConfig['logLevel'],
    bodyLimit: integer(env, 'TESSERA_BODY_LIMIT', 1_048_576, 1024, 1_073_741_824),
    fileLimit: integer(env, 'TESSERA_FILE_LIMIT', 26_214_400, 1, 10_737_418_240),
    importAsyncRows: integer(env, 'TESSERA_IMPORT_ASYNC_ROWS', 1000, 1, 1_000_000),
    trustProxy: boolean(env, 'TESSERA_TRUST_PROXY', false),
    authRateLimit: integer(env, 'TESSERA_AUTH_RATE_LIMIT', 30, 1, 1_000_000),
    redisUrl: env.REDIS_URL?.trim() || undefined,
    smtpUrl: env.SMTP_URL?.trim() || undefined,
    mailFrom: env.MAIL_FROM?.trim() || 'Tessera <no-reply@localhost>',
    loginDelayMs: integer(env, 'TESSERA_LOGIN_DELAY_MS', 250, 0, 10_000),
    publicUrl: publicUrl(env, port),
    outboundAllow: outboundAllow(env),
    demo: boolean(env, 'TESSERA_DEMO', true),
    natsUrl: env.NATS_URL?.trim() || undefined,
    worker: boolean(env, 'TESSERA_WORKER', true),
  }
}

function publicUrl(env: NodeJS.ProcessEnv, port: number): string {
  const raw = env.TESSERA_PUBLIC_URL?.trim()
  if (!raw) return `http://localhost:${port}`
  // The value is not quoted back: a mistaken one may hold credentials.
  const problem = new ConfigError(
    'TESSERA_PUBLIC_URL must be an http:// or https:// URL without credentials, query or fragment.',
  )
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw problem
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.username || url.password || url.search || url.hash) {
    throw problem
  }
  // Links append their own path: keep any base path, drop the trailing slash.
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`
}

function outboundAllow(env: NodeJS.ProcessEnv): string[] {
  const entries = (env.TESSERA_OUTBOUND_ALLOW ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
  try {
    outboundPolicy(entries)
  } catch (err) {
    throw new ConfigError(`TESSERA_OUTBOUND_ALLOW: ${(err as Error).message}`)
  }
  return entries
}

function boolean(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase()
  if (!raw) return fallback
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true
  if (['0', 'false', 'no', 'off'].includes(raw)) return false
  throw new ConfigError(`${name} must be true or false; got "${raw}".`)
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim()
  if (!raw) return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}; got "${raw}".`)
  }
  return value
}
