import * as oidc from 'openid-client'
import type { OutboundFetch } from '../../outbound/guard.ts'
import { isListedHost } from '../../outbound/policy.ts'
import { OutboundRefused } from '../../outbound/refused.ts'
import type { SsoContext } from './context.ts'

export interface ProviderSettings {
  issuer: string
  client_id: string
  /** in clear, just opened: never logged or returned */
  client_secret: string
}

/** How long a provider's discovered metadata (and its signing keys) are reused before refetching. */
const DISCOVERY_TTL_MS = 10 * 60_000
const DISCOVERY_TIMEOUT_SECONDS = 10

/**
 * The provider's OpenID configuration, discovered through the outbound guard. Every later call
 * made with it (token, userinfo, signing keys) goes through the same guard: openid-client keeps
 * the custom fetch given to discovery for all of them.
 */
export async function discoverProvider(
  sso: SsoContext,
  settings: ProviderSettings,
): Promise<oidc.Configuration> {
  const issuer = sso.guard.assertUrl(settings.issuer)
  // Plain http would hand the client secret and tokens to anyone on the path; it is allowed only
  // for a host the operator listed (a provider on the same machine or network, tests).
  const insecure = issuer.protocol === 'http:'
  if (insecure && !isListedHost(sso.guard.policy, issuer.hostname)) {
    throw new OutboundRefused(
      'scheme',
      'The issuer must use https (http only for hosts in TESSERA_OUTBOUND_ALLOW).',
    )
  }
  const fetch = insecure ? listedHostsOnlyOverHttp(sso) : sso.guard.fetch
  const options: oidc.DiscoveryRequestOptions = {
    [oidc.customFetch]: fetch,
    timeout: DISCOVERY_TIMEOUT_SECONDS,
    ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
  }
  const discovered = await oidc.discovery(
    issuer,
    settings.client_id,
    settings.client_secret,
    oidc.ClientSecretBasic(settings.client_secret),
    options,
  )
  // client_secret_basic is the OpenID default; switch to client_secret_post only for a provider
  // that says it supports post and not basic
  const methods = discovered.serverMetadata().token_endpoint_auth_methods_supported
  if (!methods || methods.includes('client_secret_basic')) return discovered
  if (!methods.includes('client_secret_post')) {
    throw new oidc.ClientError('the provider supports neither client_secret_basic nor client_secret_post')
  }
  const config = new oidc.Configuration(
    discovered.serverMetadata(),
    settings.client_id,
    settings.client_secret,
    oidc.ClientSecretPost(settings.client_secret),
  )
  config[oidc.customFetch] = fetch
  config.timeout = DISCOVERY_TIMEOUT_SECONDS
  if (insecure) oidc.allowInsecureRequests(config)
  return config
}

/**
 * Allowing http for a listed issuer must not allow it for the endpoints its metadata names: a
 * token endpoint on another host would receive the client secret in clear.
 */
function listedHostsOnlyOverHttp(sso: SsoContext): OutboundFetch {
  return (input, init) => {
    const url = new URL(input)
    if (url.protocol === 'http:' && !isListedHost(sso.guard.policy, url.hostname)) {
      return Promise.reject(new OutboundRefused('scheme', `${url.host} must be reached over https.`))
    }
    return sso.guard.fetch(input, init)
  }
}

/**
 * A small per-process cache of discovered providers, keyed by tenant and by the provider row's
 * version, so a changed configuration is never served stale.
 */
export function createProviderCache() {
  const entries = new Map<string, { version: string; config: oidc.Configuration; expires: number }>()
  return {
    async get(
      sso: SsoContext,
      tenantId: string,
      version: string,
      settings: () => ProviderSettings,
    ): Promise<oidc.Configuration> {
      const hit = entries.get(tenantId)
      if (hit && hit.version === version && hit.expires > Date.now()) return hit.config
      const config = await discoverProvider(sso, settings())
      entries.set(tenantId, { version, config, expires: Date.now() + DISCOVERY_TTL_MS })
      return config
    },
    forget(tenantId: string) {
      entries.delete(tenantId)
    },
  }
}
export type ProviderCache = ReturnType<typeof createProviderCache>

/** The guard's refusal behind an openid-client error, if that is what stopped it. */
export function refusalIn(err: unknown): OutboundRefused | undefined {
  for (let cause = err, depth = 0; cause && depth < 5; depth += 1) {
    if (cause instanceof OutboundRefused) return cause
    cause = (cause as { cause?: unknown }).cause
  }
  return undefined
}
