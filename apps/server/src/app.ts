import cookie from '@fastify/cookie'
import helmet from '@fastify/helmet'
import rateLimit from '@fastify/rate-limit'
import {
  createJobs,
  createRegistry,
  createSsoContext,
  type Database,
  type IdentityContext,
  isTimeZone,
  type Jobs,
  type Mailer,
  type MigrationSource,
  type ModuleRegistry,
  type TesseraConfig,
  TooManyRequests,
} from '@tessera/kernel'
import Fastify, { type FastifyInstance } from 'fastify'
import { Redis } from 'ioredis'
import { registerAccess, trackRoutes } from './access/index.ts'
import { accessRulesRoutes } from './access/rules-routes.ts'
import { auditRoutes } from './audit/routes.ts'
import { apiKeyRoutes } from './auth/api-key-routes.ts'
import { authRoutes } from './auth/auth-routes.ts'
import { mfaRoutes } from './auth/mfa-routes.ts'
import { recoveryRoutes, verifyAfterSignup } from './auth/recovery-routes.ts'
import { SSO_CALLBACK_PATH, ssoRoutes } from './auth/sso-routes.ts'
import { securityEventsRoutes, usersRoutes } from './auth/users-routes.ts'
import { registerEntityRoutes } from './entities/index.ts'
import { fileRoutes } from './files/index.ts'
import { healthRoutes } from './health.ts'
import { setUpMail } from './mail.ts'
import { registerModules } from './modules/index.ts'
import { installedModules } from './modules.ts'
import { exchangeRateRoutes } from './money/routes.ts'
import { startNotificationEmails } from './notifications/emails.ts'
import { notificationRoutes } from './notifications/routes.ts'
import { registerOpenApi } from './openapi.ts'
import { registerErrorHandling } from './problem.ts'
import { requestId } from './request-id.ts'
import { searchRoutes } from './search/routes.ts'
import { importRoutes } from './transfer/imports-routes.ts'
import { registerWeb } from './web.ts'
import { registerWebhooks } from './webhooks/index.ts'

export interface AppOptions {
  database: Database
  migrations: readonly MigrationSource[]
  identity: IdentityContext
  config: Pick<
    TesseraConfig,
    | 'bodyLimit'
    | 'natsUrl'
    | 'fileLimit'
    | 'importAsyncRows'
    | 'logLevel'
    | 'trustProxy'
    | 'authRateLimit'
    | 'redisUrl'
    | 'smtpUrl'
    | 'mailFrom'
    | 'dataDir'
    | 'publicUrl'
    | 'outboundAllow'
    | 'modules'
  >
  /** sends reset and verification mail; by default one from SMTP_URL or .eml files, closed with the app */
  mailer?: Mailer
  /** the enabled modules; by default the installed ones, narrowed by TESSERA_MODULES */
  modules?: ModuleRegistry
  /** send pending notification emails every few seconds (`tessera start`; tests call the sender) */
  sendNotificationEmails?: boolean
  /** the job queue; by default one of the app's own, stopped when it closes */
  jobs?: Jobs
  /** run the worker in this process (`tessera start` unless TESSERA_WORKER=off) */
  worker?: boolean
}

/**
 * Builds the HTTP application without listening, so tests drive exactly what production runs.
 * Everything a route needs arrives through plugin options: no decorators, no global state.
 */
export async function buildApp({
  database,
  migrations,
  identity,
  config,
  mailer,
  modules,
  sendNotificationEmails,
  jobs,
  worker,
}: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
    },
    genReqId: requestId,
    bodyLimit: config.bodyLimit,
    // Fastify's default (0) disables Node's limit on receiving a whole request; keep Node's five
    // minutes so a slow or truncated body (a multipart form cut before its closing boundary never
    // ends) cannot hold a connection and its handler for ever.
    requestTimeout: 300_000,
    trustProxy: config.trustProxy,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    ajv: {
      // Bodies are validated as sent: no silent dropping of unknown fields, no type coercion.
      customOptions: {
        removeAdditional: false,
        coerceTypes: false,
        useDefaults: false,
        allErrors: true,
        formats: { 'time-zone': { type: 'string', validate: isTimeZone } },
      },
    },
  })
  trackRoutes(app)
  app.decorateRequest('actor', null)
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })
  registerErrorHandling(app)
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: { 'img-src': ["'self'", 'data:', 'https:'], 'upgrade-insecure-requests': null },
    },
  })
  await app.register(cookie)
  const redis = config.redisUrl
    ? new Redis(config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 1 })
    : undefined
  if (redis) app.addHook('onClose', async () => void redis.quit())
  await app.register(rateLimit, {
    global: false,
    ...(redis ? { redis } : {}),
    errorResponseBuilder: (_request, context) => new TooManyRequests(Math.ceil(context.ttl / 1000)),
  })
  const registry = modules ?? createRegistry(installedModules, config.modules)
  // one job queue for the app: large imports are queued on it, the webhooks and the worker use it
  const queue = jobs ?? createJobs(database, { worker: worker ?? false, log: app.log })
  // added before the worker's hook, so it runs after it: Fastify runs onClose hooks newest first
  if (!jobs) app.addHook('onClose', async () => queue.stop())
  const imports = { jobs: queue, asyncRows: config.importAsyncRows }
  await registerOpenApi(app, { identity, registry })
  await app.register(healthRoutes, { database, migrations })
  const rate = { max: config.authRateLimit, timeWindow: 60_000 }
  const recovery = { identity, outbox: setUpMail(app, config, mailer), publicUrl: config.publicUrl }
  await app.register(authRoutes, {
    prefix: '/api/v1/auth',
    identity,
    rateLimit: rate,
    afterSignup: verifyAfterSignup(recovery),
  })
  await app.register(recoveryRoutes, { prefix: '/api/v1/auth', ...recovery, rateLimit: rate })
  await app.register(usersRoutes, { prefix: '/api/v1/users', identity })
  await app.register(securityEventsRoutes, { prefix: '/api/v1/security-events', identity })
  await app.register(accessRulesRoutes, { prefix: '/api/v1/access', identity })
  await app.register(auditRoutes, { prefix: '/api/v1/audit', identity })
  await app.register(mfaRoutes, { prefix: '/api/v1', identity, rateLimit: rate })
  await app.register(apiKeyRoutes, { prefix: '/api/v1/api-keys', identity })
  const sso = createSsoContext({
    redirectUri: `${config.publicUrl}${SSO_CALLBACK_PATH}`,
    outboundAllow: config.outboundAllow,
  })
  await app.register(ssoRoutes, { prefix: '/api/v1/auth', identity, sso, rateLimit: rate })
  await registerAccess(app, { identity, registry, mail: recovery, rateLimit: rate })
  await registerModules(app, { identity, registry, imports })
  await registerEntityRoutes(app, { identity, registry, imports })
  await app.register(importRoutes, { prefix: '/api/v1/imports', identity })
  await app.register(searchRoutes, { prefix: '/api/v1/search', identity, registry })
  await app.register(fileRoutes, { prefix: '/api/v1/files', identity, config })
  await app.register(exchangeRateRoutes, { prefix: '/api/v1/exchange-rates', identity })
  await app.register(notificationRoutes, { prefix: '/api/v1/notifications', identity, registry })
  if (sendNotificationEmails) startNotificationEmails(app, identity.db, recovery.outbox.mailer)
  await registerWebhooks(app, {
    database,
    identity,
    registry,
    config,
    worker: worker ?? false,
    jobs: queue,
  })
  await registerWeb(app)
  return app
}
