import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import http from 'node:http'
import https from 'node:https'
import type { LookupFunction } from 'node:net'
import { urlToHttpOptions } from 'node:url'
import { parseIpAddress } from './address.ts'
import { checkAddress, normalizeHost, type OutboundPolicy, outboundPolicy } from './policy.ts'
import { addressRefused, OutboundRefused } from './refused.ts'

export interface OutboundGuardOptions {
  /** TESSERA_OUTBOUND_ALLOW entries, or a policy parsed from them; default: public addresses only */
  allow?: readonly string[] | OutboundPolicy
  /** whole-request deadline, default 10 s */
  timeoutMs?: number
  /** the largest response body read, default 1 MiB */
  maxResponseBytes?: number
}

/** The subset of fetch's options an outbound call uses. Redirects are never followed. */
export interface OutboundRequestInit {
  method?: string
  headers?: ConstructorParameters<typeof Headers>[0]
  body?: ConstructorParameters<typeof Response>[0]
  signal?: AbortSignal | null
}

export type OutboundFetch = (input: string | URL, init?: OutboundRequestInit) => Promise<Response>

/**
 * The one way the server calls out to a URL a tenant chose (SSO discovery, webhooks, URL imports).
 * Every address is checked when the socket is about to connect, not when the URL is read, so a name
 * that resolves to a public address when checked and to 127.0.0.1 a moment later (DNS rebinding)
 * gains nothing: the addresses checked are exactly the ones dialled.
 */
export interface OutboundGuard {
  policy: OutboundPolicy
  /** the URL, or OutboundRefused when no address could make it acceptable (scheme, credentials, literal IP) */
  assertUrl(input: string | URL): URL
  /** a `lookup` for net/http/https that refuses any name resolving to a forbidden address */
  lookup: LookupFunction
  /** fetch through the guard: http(s) only, redirects returned as they are, bounded time and size */
  fetch: OutboundFetch
}

const DEFAULT_TIMEOUT_MS = 10_000
const DEFAULT_MAX_RESPONSE_BYTES = 1_048_576
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304])

export function createOutboundGuard(options: OutboundGuardOptions = {}): OutboundGuard {
  const policy = Array.isArray(options.allow)
    ? outboundPolicy(options.allow)
    : ((options.allow as OutboundPolicy | undefined) ?? outboundPolicy())
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES

  function assertUrl(input: string | URL): URL {
    let url: URL
    try {
      url = new URL(input)
    } catch {
      throw new OutboundRefused('scheme', 'The URL is malformed.')
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new OutboundRefused('scheme', `Outbound calls use http or https only, not ${url.protocol}`)
    }
    if (url.username !== '' || url.password !== '') {
      throw new OutboundRefused('credentials', 'Outbound URLs may not carry a user name or password.')
    }
    // the WHATWG parser already turns 0x7f.1 and 2130706433 into 127.0.0.1; parse again all the same
    const literal = parseIpAddress(normalizeHost(url.hostname))
    if (literal) {
      const verdict = checkAddress(policy, normalizeHost(url.hostname), url.hostname)
      if (!verdict.allowed) throw addressRefused(url.hostname, verdict.category)
    }
    return url
  }

  const lookup = ((hostname, lookupOptions, callback) => {
    dnsLookup(hostname, { ...lookupOptions, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0)
      if (addresses.length === 0) {
        const missing = Object.assign(new Error(`${hostname} has no address.`), { code: 'ENOTFOUND' })
        return callback(missing, '', 0)
      }
      // one forbidden answer refuses the name: picking the good ones would let a resolver choose
      for (const { address } of addresses) {
        const verdict = checkAddress(policy, address, hostname)
        if (!verdict.allowed) return callback(addressRefused(hostname, verdict.category), '', 0)
      }
      if (lookupOptions.all) return callback(null, addresses)
      const first = addresses[0] as LookupAddress
      return callback(null, first.address, first.family)
    })
  }) as LookupFunction

  async function guardedFetch(input: string | URL, init: OutboundRequestInit = {}): Promise<Response> {
    const url = assertUrl(input)
    const headers = new Headers(init.headers)
    // Node's http client does not decompress; ask for the body as it is
    headers.delete('accept-encoding')
    if (!headers.has('user-agent')) headers.set('user-agent', 'Tessera')
    let body: Buffer | undefined
    if (init.body !== undefined && init.body !== null) {
      const prepared = new Response(init.body)
      body = Buffer.from(await prepared.arrayBuffer())
      const type = prepared.headers.get('content-type')
      if (type && !headers.has('content-type')) headers.set('content-type', type)
      headers.set('content-length', String(body.length))
    }
    const signal = init.signal
      ? AbortSignal.any([init.signal, AbortSignal.timeout(timeoutMs)])
      : AbortSignal.timeout(timeoutMs)

    return new Promise<Response>((resolve, reject) => {
      const request = (url.protocol === 'https:' ? https : http).request({
        ...urlToHttpOptions(url),
        method: init.method ?? 'GET',
        headers: Object.fromEntries(headers),
        // a fresh connection per call: a pooled socket would skip the connect-time check
        agent: false,
        lookup,
        signal,
      })
      request.once('socket', (socket) => {
        // The second line of defence: the peer the kernel actually connected to. Node writes the
        // request only after this listener has run, so a refusal here sends nothing.
        socket.once('connect', () => {
          const verdict = checkAddress(policy, socket.remoteAddress ?? '', url.hostname)
          if (!verdict.allowed) request.destroy(addressRefused(url.hostname, verdict.category))
        })
      })
      request.on('error', reject)
      request.once('response', (response) => {
        const chunks: Buffer[] = []
        let size = 0
        let tooLarge = false
        response.on('data', (chunk: Buffer) => {
          if (tooLarge) return
          size += chunk.length
          if (size > maxBytes) {
            tooLarge = true
            reject(
              new OutboundRefused(
                'too_large',
                `The response from ${url.host} is larger than ${maxBytes} bytes.`,
              ),
            )
            request.destroy()
            return
          }
          chunks.push(chunk)
        })
        response.on('error', reject)
        response.once('end', () => {
          if (tooLarge) return
          try {
            const status = response.statusCode ?? 0
            const responseHeaders = new Headers()
            const raw = response.rawHeaders
            for (let i = 0; i + 1 < raw.length; i += 2) {
              responseHeaders.append(raw[i] as string, raw[i + 1] as string)
            }
            const result = new Response(NULL_BODY_STATUSES.has(status) ? null : Buffer.concat(chunks), {
              status,
              statusText: response.statusMessage ?? '',
              headers: responseHeaders,
            })
            Object.defineProperty(result, 'url', { value: url.href })
            resolve(result)
          } catch (err) {
            reject(err)
          }
        })
      })
      request.end(body)
    })
  }

  return { policy, assertUrl, lookup, fetch: guardedFetch }
}
