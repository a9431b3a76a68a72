import createClient, { type Client } from 'openapi-fetch'

/**
 * A typed client of a Tessera server, signed in with a bearer token (an access token or an API
 * key). `Paths` are the `paths` that `generateTypes` made from the server's document for that
 * member: every call is checked against the tenant's entities, custom fields included.
 */
export function createTesseraClient<Paths extends {}>(baseUrl: string, token: string): Client<Paths> {
  return createClient<Paths>({ baseUrl, headers: { authorization: `Bearer ${token}` } })
}
