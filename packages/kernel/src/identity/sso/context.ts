import { createOutboundGuard, type OutboundGuard } from '../../outbound/guard.ts'
import { createProviderCache, type ProviderCache } from './oidc-client.ts'

/** What single sign-on needs besides the identity context, built once at start-up. */
export interface SsoContext {
  /** every call to a provider goes through it */
  guard: OutboundGuard
  /** the callback URL registered at every provider: from TESSERA_PUBLIC_URL, never a request's Host */
  redirectUri: string
  providers: ProviderCache
}

export function createSsoContext(options: {
  redirectUri: string
  outboundAllow: readonly string[]
}): SsoContext {
  return {
    guard: createOutboundGuard({ allow: options.outboundAllow }),
    redirectUri: options.redirectUri,
    providers: createProviderCache(),
  }
}
