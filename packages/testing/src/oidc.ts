import { generateKeyPairSync } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A real OpenID provider (oidc-provider) on loopback for single sign-on tests: one confidential
 * client, accounts the test registers, and a login page that signs in whoever the test named
 * next, as a person typing their credentials would. Tessera talks to it over HTTP like any
 * provider; the server must allow 127.0.0.1 outbound (TESSERA_OUTBOUND_ALLOW).
 */

export interface OidcAccount {
  email: string
  email_verified: boolean
  name: string
}

export interface TestOidcProvider {
  /** http://127.0.0.1:PORT, what the tenant's settings name as issuer */
  issuer: string
  clientId: string
  clientSecret: string
  accounts: Map<string, OidcAccount>
  /** registers an account (an email at acme.example unless overridden) and returns its id */
  account(overrides?: Partial<OidcAccount>): string
  /** the account the provider's next login signs in */
  signInNext(accountId: string): void
  /** requests the provider has answered, to prove a refused issuer was never called */
  requests(): number
  close(): Promise<void>
}

export interface OidcProviderOptions {
  /** Tessera's callback, `${TESSERA_PUBLIC_URL}/api/v1/auth/sso/callback` */
  redirectUri: string
  clientId?: string
  clientSecret?: string
}

/**
 * The part of oidc-provider's API used here. The package ships no type declarations (and
 * @types/oidc-provider is not installed), so it is imported by a name TypeScript does not resolve.
 */
interface OidcProvider {
  callback(): (req: IncomingMessage, res: ServerResponse) => void
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<{ params: Record<string, unknown> }>
  interactionFinished(
    req: IncomingMessage,
    res: ServerResponse,
    result: Record<string, unknown>,
    options: { mergeWithLastSubmission: boolean },
  ): Promise<void>
  Grant: new (init: {
    accountId: string
    clientId: string
  }) => {
    addOIDCScope(scope: string): void
    save(): Promise<string>
  }
}
type OidcProviderClass = new (issuer: string, configuration: Record<string, unknown>) => OidcProvider
// a root devDependency: imported only when a test starts a provider
const OIDC_PROVIDER_PACKAGE = 'oidc-provider'

let accountCounter = 0

export async function startOidcProvider(options: OidcProviderOptions): Promise<TestOidcProvider> {
  const clientId = options.clientId ?? 'tessera'
  const clientSecret = options.clientSecret ?? 'a-provider-issued-client-secret-0123456789'
  const accounts = new Map<string, OidcAccount>()
  let nextAccount = ''
  let requests = 0
  let provider: OidcProvider | undefined

  /** The provider's login and consent, done at once for `nextAccount` (its own examples do it so). */
  async function signInAtInteraction(idp: OidcProvider, req: IncomingMessage, res: ServerResponse) {
    const details = await idp.interactionDetails(req, res)
    const accountId = nextAccount
    const grant = new idp.Grant({ accountId, clientId: String(details.params.client_id) })
    grant.addOIDCScope(String(details.params.scope))
    const grantId = await grant.save()
    await idp.interactionFinished(
      req,
      res,
      { login: { accountId }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    )
  }

  const server = createServer((req, res) => {
    requests += 1
    if (!provider) {
      res.statusCode = 503
      res.end()
      return
    }
    if (req.url?.startsWith('/interaction/')) {
      signInAtInteraction(provider, req, res).catch((err) => {
        res.statusCode = 500
        res.end(String(err))
      })
      return
    }
    provider.callback()(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const { default: Provider } = (await import(OIDC_PROVIDER_PACKAGE)) as { default: OidcProviderClass }
  provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [options.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test', use: 'sig', alg: 'RS256' }] },
    cookies: { keys: ['provider-cookie-key-for-tests'] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      Grant: 600,
      IdToken: 600,
      Interaction: 600,
      Session: 600,
    },
    async findAccount(_ctx: unknown, id: string) {
      const account = accounts.get(id)
      if (!account) return undefined
      return { accountId: id, claims: async () => ({ sub: id, ...account }) }
    },
  })

  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    account(overrides = {}) {
      accountCounter += 1
      const id = `acct-${accountCounter}-${Math.random().toString(36).slice(2, 8)}`
      accounts.set(id, {
        email: `${id}@acme.example`,
        email_verified: true,
        name: `Grace ${id}`,
        ...overrides,
      })
      return id
    },
    signInNext(accountId) {
      nextAccount = accountId
    },
    requests: () => requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
