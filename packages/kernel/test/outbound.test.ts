import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  checkAddress,
  classifyAddress,
  createOutboundGuard,
  formatIpAddress,
  OutboundRefused,
  outboundPolicy,
  parseIpAddress,
} from '@tessera/kernel'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

describe('address classifier', () => {
  it.each([
    // IPv4 loopback in every spelling inet_aton and URL parsers accept
    ['127.0.0.1', 'loopback'],
    ['127.1', 'loopback'],
    ['2130706433', 'loopback'],
    ['017700000001', 'loopback'],
    ['0177.0.0.1', 'loopback'],
    ['0x7f.0.0.1', 'loopback'],
    ['0x7f000001', 'loopback'],
    ['0x7f.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    // IPv6 loopback, and IPv4 loopback wrapped in IPv6
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['[::ffff:7f00:1]', 'loopback'],
    ['0:0:0:0:0:ffff:7f00:0001', 'loopback'],
    ['64:ff9b::127.0.0.1', 'loopback'],
    ['2002:7f00:1::', 'loopback'],
    // cloud metadata
    ['169.254.169.254', 'metadata'],
    ['0xa9fea9fe', 'metadata'],
    ['2852039166', 'metadata'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['100.100.100.200', 'metadata'],
    // link-local, unique-local
    ['169.254.1.1', 'link_local'],
    ['fe80::1', 'link_local'],
    ['fe80::1%eth0', 'link_local'],
    ['febf:ffff::1', 'link_local'],
    ['fc00::1', 'unique_local'],
    ['fd12:3456:789a::1', 'unique_local'],
    ['fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'unique_local'],
    // unspecified ("this host")
    ['0.0.0.0', 'unspecified'],
    ['0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['::ffff:0.0.0.0', 'unspecified'],
    // private and carrier-grade NAT
    ['10.0.0.1', 'private'],
    ['012.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['::ffff:192.168.1.1', 'private'],
    ['fec0::1', 'private'],
    ['100.64.0.1', 'shared'],
    ['100.127.255.255', 'shared'],
    // the rest that is not public
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['192.0.0.8', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['192.0.2.1', 'documentation'],
    ['2001:db8::1', 'documentation'],
    ['2001::1', 'reserved'],
    ['::127.0.0.1', 'reserved'],
    ['100::1', 'reserved'],
    ['4000::1', 'reserved'],
    // public
    ['8.8.8.8', 'public'],
    ['100.63.255.255', 'public'],
    ['100.128.0.1', 'public'],
    ['172.32.0.1', 'public'],
    ['169.253.255.255', 'public'],
    ['::ffff:8.8.8.8', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['2a00:1450:4001::1', 'public'],
  ])('%s is %s', (address, category) => {
    expect(classifyAddress(address)).toBe(category)
  })

  it.each([
    'example.com',
    'localhost',
    '1.2.3.4.example.com',
    '256.1.1.1',
    '1.2.3.4.5',
    '08.0.0.1',
    '0x1g',
    '1..1',
    ':::1',
    '',
  ])('%s is not an address', (text) => {
    expect(parseIpAddress(text)).toBeUndefined()
    expect(() => classifyAddress(text)).toThrow()
  })

  it.each([
    ['0x7f.1', '127.0.0.1'],
    ['2130706433', '127.0.0.1'],
    ['::ffff:127.0.0.1', '::ffff:7f00:1'],
    ['2001:DB8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['fe80:0:0:0:0:0:0:1%lo', 'fe80::1'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
  ])('spells %s canonically as %s', (text, canonical) => {
    expect(formatIpAddress(parseIpAddress(text) as NonNullable<ReturnType<typeof parseIpAddress>>)).toBe(
      canonical,
    )
  })
})

describe('allow-list', () => {
  const policy = outboundPolicy(['idp.internal', '10.1.0.0/16', '127.0.0.1', 'fd00::/8'])

  it.each([
    ['127.0.0.1', undefined, true],
    ['::ffff:127.0.0.1', undefined, true],
    ['127.0.0.2', undefined, false],
    ['10.1.2.3', undefined, true],
    ['10.2.0.1', undefined, false],
    ['fd00::5', undefined, true],
    ['fc00::5', undefined, false],
    ['169.254.169.254', 'idp.internal', true],
    ['169.254.169.254', 'IDP.internal.', true],
    ['169.254.169.254', 'other.internal', false],
    ['8.8.8.8', undefined, true],
    ['not an address', undefined, false],
  ])('%s (host %s) allowed: %s', (address, host, allowed) => {
    expect(checkAddress(policy, address, host).allowed).toBe(allowed)
  })

  it('allows nothing private by default', () => {
    expect(checkAddress(outboundPolicy(), '127.0.0.1')).toEqual({ allowed: false, category: 'loopback' })
  })

  it.each(['10.0.0.0/33', '::/129', 'http://idp.internal', 'a b', 'idp/path', '1.2.3.4/8/1'])(
    'refuses the entry %s',
    (entry) => {
      expect(() => outboundPolicy([entry])).toThrow(/is neither a host name/)
    },
  )
})

describe('outbound guard', () => {
  const guard = createOutboundGuard()

  it.each([
    ['file:///etc/passwd', 'scheme'],
    ['ftp://example.com/', 'scheme'],
    ['gopher://example.com/', 'scheme'],
    ['data:text/plain,hello', 'scheme'],
    ['not a url', 'scheme'],
    ['http://user:secret@example.com/', 'credentials'],
    ['http://127.0.0.1/', 'address'],
    ['http://2130706433/', 'address'],
    ['http://017700000001/', 'address'],
    ['http://0177.0.0.1/', 'address'],
    ['http://0x7f.1/', 'address'],
    ['http://0x7f000001/', 'address'],
    ['http://[::1]/', 'address'],
    ['http://[::ffff:127.0.0.1]/', 'address'],
    ['http://[::ffff:7f00:1]/', 'address'],
    ['http://169.254.169.254/latest/meta-data/', 'address'],
    ['http://[fd00:ec2::254]/', 'address'],
    ['http://0.0.0.0:8080/', 'address'],
    ['http://0/', 'address'],
    ['http://100.64.0.1/', 'address'],
    ['http://10.0.0.1/', 'address'],
    ['https://[fc00::1]/', 'address'],
    ['https://[fe80::1]/', 'address'],
  ])('refuses %s (%s)', (url, reason) => {
    let caught: unknown
    try {
      guard.assertUrl(url)
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(OutboundRefused)
    expect((caught as OutboundRefused).reason).toBe(reason)
  })

  it('accepts a public http(s) URL without resolving it', () => {
    expect(guard.assertUrl('https://login.example.com/.well-known/openid-configuration').host).toBe(
      'login.example.com',
    )
  })

  it('refuses a name that resolves to 127.0.0.1 at lookup time', async () => {
    const outcome = await new Promise<{ err: NodeJS.ErrnoException | null }>((resolve) =>
      guard.lookup('localhost', { all: true }, (err) => resolve({ err })),
    )
    expect(outcome.err).toBeInstanceOf(OutboundRefused)
    expect((outcome.err as OutboundRefused).category).toBe('loopback')
  })
})

describe('outbound fetch against a server on loopback', () => {
  let server: Server
  let port: number
  const seen: { method: string; url: string; type: string | undefined; body: string }[] = []
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = ''
      req.on('data', (chunk) => {
        body += chunk
      })
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', type: req.headers['content-type'], body })
        if (req.url === '/redirect') {
          res.writeHead(302, { location: '/elsewhere' }).end()
        } else if (req.url === '/big') {
          res.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(5000))
        } else {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, body }))
        }
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  it('never connects when the address is not allowed: by literal or by a name resolving to it', async () => {
    const before = seen.length
    const guard = createOutboundGuard()
    for (const url of [
      `http://127.0.0.1:${port}/`,
      `http://localhost:${port}/`,
      `http://2130706433:${port}/`,
      `http://[::ffff:127.0.0.1]:${port}/`,
    ]) {
      await expect(guard.fetch(url)).rejects.toBeInstanceOf(OutboundRefused)
    }
    expect(seen.length).toBe(before)
  })

  it('reaches an allow-listed address, sends the body, and does not follow redirects', async () => {
    const guard = createOutboundGuard({ allow: ['127.0.0.1'] })
    const res = await guard.fetch(`http://127.0.0.1:${port}/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'authorization_code', code: 'abc' }),
    })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ ok: true, body: 'grant_type=authorization_code&code=abc' })
    expect(seen.at(-1)).toMatchObject({ method: 'POST', type: expect.stringMatching(/form-urlencoded/) })

    const before = seen.length
    const redirect = await guard.fetch(`http://127.0.0.1:${port}/redirect`, { method: 'GET' })
    expect(redirect.status).toBe(302)
    expect(redirect.headers.get('location')).toBe('/elsewhere')
    expect(seen.length).toBe(before + 1)
  })

  it('lets a name through when every address it resolves to is listed, or the name itself is', async () => {
    const byAddress = createOutboundGuard({ allow: ['127.0.0.1', '::1'] })
    expect((await byAddress.fetch(`http://localhost:${port}/`)).status).toBe(200)
    const byName = createOutboundGuard({ allow: ['localhost'] })
    expect((await byName.fetch(`http://localhost:${port}/`)).status).toBe(200)
    await expect(byName.fetch(`http://127.0.0.1:${port}/`)).rejects.toBeInstanceOf(OutboundRefused)
  })

  it('stops reading a response larger than the limit', async () => {
    const guard = createOutboundGuard({ allow: ['127.0.0.1'], maxResponseBytes: 1000 })
    await expect(guard.fetch(`http://127.0.0.1:${port}/big`)).rejects.toMatchObject({ reason: 'too_large' })
  })
})
