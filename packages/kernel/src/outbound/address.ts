import { isIPv6 } from 'node:net'

/** An IP address as a number: 32 bits for IPv4, 128 bits for IPv6. */
export interface IpAddress {
  version: 4 | 6
  value: bigint
}

/** Why an address is not an ordinary public one; `public` is the only category allowed by default. */
export type AddressCategory =
  | 'public'
  | 'loopback'
  | 'private'
  | 'shared'
  | 'link_local'
  | 'metadata'
  | 'unique_local'
  | 'unspecified'
  | 'multicast'
  | 'documentation'
  | 'reserved'

/**
 * Parses an address in any spelling a resolver or socket library accepts: IPv4 in the inet_aton
 * forms (`2130706433`, `0177.0.0.1`, `0x7f.1`), IPv6 with or without brackets, a zone id
 * (`fe80::1%eth0`) or an embedded IPv4 tail (`::ffff:127.0.0.1`). Undefined when `text` is a host name.
 */
export function parseIpAddress(text: string): IpAddress | undefined {
  const trimmed = text.trim()
  const unbracketed = trimmed.startsWith('[') && trimmed.endsWith(']') ? trimmed.slice(1, -1) : trimmed
  const v4 = parseIPv4(unbracketed)
  if (v4 !== undefined) return { version: 4, value: v4 }
  const v6 = parseIPv6(unbracketed)
  return v6 === undefined ? undefined : { version: 6, value: v6 }
}

/** The canonical spelling: dotted decimal, or RFC 5952 compressed lowercase IPv6. */
export function formatIpAddress(address: IpAddress): string {
  if (address.version === 4) {
    return [24, 16, 8, 0].map((shift) => Number((address.value >> BigInt(shift)) & 0xffn)).join('.')
  }
  const groups = Array.from({ length: 8 }, (_, i) =>
    Number((address.value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16),
  )
  // RFC 5952: compress the longest run of two or more zero groups (the first, on a tie)
  let best = { start: -1, length: 0 }
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i += 1
      continue
    }
    let j = i
    while (j < 8 && groups[j] === '0') j += 1
    if (j - i > best.length && j - i >= 2) best = { start: i, length: j - i }
    i = j
  }
  if (best.start < 0) return groups.join(':')
  const head = groups.slice(0, best.start).join(':')
  const tail = groups.slice(best.start + best.length).join(':')
  return `${head}::${tail}`
}

/**
 * inet_aton: one to four parts, each decimal, octal (leading 0) or hex (0x); the last part fills
 * the remaining bytes. This is how `http://2130706433/` and `http://0x7f.1/` reach 127.0.0.1.
 */
function parseIPv4(text: string): bigint | undefined {
  const parts = text.split('.')
  if (parts.length > 4 || parts.some((part) => part === '')) return undefined
  const numbers: bigint[] = []
  for (const part of parts) {
    let value: bigint
    if (/^0x[0-9a-f]*$/i.test(part)) value = part.length === 2 ? 0n : BigInt(part)
    else if (/^0[0-7]+$/.test(part)) value = BigInt(`0o${part.slice(1)}`)
    else if (/^(0|[1-9][0-9]*)$/.test(part)) value = BigInt(part)
    else return undefined
    numbers.push(value)
  }
  const last = numbers.pop() as bigint
  if (numbers.some((n) => n > 0xffn)) return undefined
  const lastBits = BigInt(8 * (4 - numbers.length))
  if (last >= 1n << lastBits) return undefined
  return numbers.reduce((acc, n, i) => acc | (n << BigInt(24 - 8 * i)), 0n) | last
}

function parseIPv6(text: string): bigint | undefined {
  const address = text.replace(/%[^%]*$/, '')
  if (!isIPv6(address)) return undefined
  let hextets = address.toLowerCase()
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(hextets)
  if (dotted?.[1]) {
    const v4 = parseIPv4(dotted[1]) as bigint
    hextets = `${hextets.slice(0, -dotted[1].length)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`
  }
  const [head = '', tail] = hextets.split('::')
  const headGroups = head === '' ? [] : head.split(':')
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':')
  const zeros = tail === undefined ? 0 : 8 - headGroups.length - tailGroups.length
  const groups = [...headGroups, ...Array<string>(zeros).fill('0'), ...tailGroups]
  if (groups.length !== 8) return undefined
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(`0x${group}`), 0n)
}

/** A network: every address whose first `prefix` bits equal the base's. */
export interface Cidr {
  version: 4 | 6
  base: bigint
  prefix: number
}

/** `10.0.0.0/8`, `fc00::/7`, or a single address (`127.0.0.1` = /32). Undefined when malformed. */
export function parseCidr(text: string): Cidr | undefined {
  const [addressText = '', prefixText, ...rest] = text.trim().split('/')
  if (rest.length > 0) return undefined
  const address = parseIpAddress(addressText)
  if (!address) return undefined
  const bits = address.version === 4 ? 32 : 128
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined
  const prefix = prefixText === undefined ? bits : Number(prefixText)
  if (prefix > bits) return undefined
  return { version: address.version, base: address.value & mask(prefix, bits), prefix }
}

export function inCidr(address: IpAddress, cidr: Cidr): boolean {
  if (address.version !== cidr.version) return false
  const bits = address.version === 4 ? 32 : 128
  return (address.value & mask(cidr.prefix, bits)) === cidr.base
}

function mask(prefix: number, bits: number): bigint {
  const all = (1n << BigInt(bits)) - 1n
  return prefix === 0 ? 0n : all ^ ((1n << BigInt(bits - prefix)) - 1n)
}

const cidr = (text: string) => parseCidr(text) as Cidr

/** Special-purpose IPv4 blocks (IANA registry), most specific first. */
const IPV4_RANGES: [Cidr, AddressCategory][] = [
  [cidr('169.254.169.254/32'), 'metadata'],
  [cidr('100.100.100.200/32'), 'metadata'],
  [cidr('192.0.0.192/32'), 'metadata'],
  [cidr('0.0.0.0/8'), 'unspecified'],
  [cidr('10.0.0.0/8'), 'private'],
  [cidr('100.64.0.0/10'), 'shared'],
  [cidr('127.0.0.0/8'), 'loopback'],
  [cidr('169.254.0.0/16'), 'link_local'],
  [cidr('172.16.0.0/12'), 'private'],
  [cidr('192.0.0.0/24'), 'reserved'],
  [cidr('192.0.2.0/24'), 'documentation'],
  [cidr('192.88.99.0/24'), 'reserved'],
  [cidr('192.168.0.0/16'), 'private'],
  [cidr('198.18.0.0/15'), 'reserved'],
  [cidr('198.51.100.0/24'), 'documentation'],
  [cidr('203.0.113.0/24'), 'documentation'],
  [cidr('224.0.0.0/4'), 'multicast'],
  [cidr('240.0.0.0/4'), 'reserved'],
]

const IPV6_RANGES: [Cidr, AddressCategory][] = [
  [cidr('::/128'), 'unspecified'],
  [cidr('::1/128'), 'loopback'],
  [cidr('fd00:ec2::254/128'), 'metadata'],
  [cidr('::/96'), 'reserved'],
  [cidr('64:ff9b:1::/48'), 'reserved'],
  [cidr('100::/64'), 'reserved'],
  [cidr('2001::/23'), 'reserved'],
  [cidr('2001:db8::/32'), 'documentation'],
  [cidr('3fff::/20'), 'documentation'],
  [cidr('5f00::/16'), 'reserved'],
  [cidr('fc00::/7'), 'unique_local'],
  [cidr('fe80::/10'), 'link_local'],
  [cidr('fec0::/10'), 'private'],
  [cidr('ff00::/8'), 'multicast'],
]
const GLOBAL_UNICAST = cidr('2000::/3')

/**
 * The IPv4 address an IPv6 address stands for, when it embeds one that a gateway will reach:
 * IPv4-mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::a.b.c.d) and 6to4 (2002:aabb:ccdd::).
 */
export function embeddedIPv4(address: IpAddress): IpAddress | undefined {
  if (address.version !== 6) return undefined
  if (inCidr(address, cidr('::ffff:0:0/96')) || inCidr(address, cidr('64:ff9b::/96'))) {
    return { version: 4, value: address.value & 0xffffffffn }
  }
  if (inCidr(address, cidr('2002::/16'))) return { version: 4, value: (address.value >> 80n) & 0xffffffffn }
  return undefined
}

/** What kind of address this is. Only `public` addresses are reachable by default. */
export function classifyAddress(address: IpAddress | string): AddressCategory {
  const parsed = typeof address === 'string' ? parseIpAddress(address) : address
  if (!parsed) throw new Error('Not an IP address.')
  const embedded = embeddedIPv4(parsed)
  if (embedded) return classifyAddress(embedded)
  const ranges = parsed.version === 4 ? IPV4_RANGES : IPV6_RANGES
  const found = ranges.find(([range]) => inCidr(parsed, range))
  if (found) return found[1]
  if (parsed.version === 6 && !inCidr(parsed, GLOBAL_UNICAST)) return 'reserved'
  return 'public'
}
