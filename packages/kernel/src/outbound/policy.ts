import {
  type AddressCategory,
  type Cidr,
  classifyAddress,
  embeddedIPv4,
  type IpAddress,
  inCidr,
  parseCidr,
  parseIpAddress,
} from './address.ts'

/**
 * What outbound calls may reach besides public addresses: the operator's explicit exceptions
 * (TESSERA_OUTBOUND_ALLOW), as host names and networks. Nothing else is ever let through.
 */
export interface OutboundPolicy {
  /** host names (lowercase, no trailing dot) allowed whatever they resolve to */
  hosts: ReadonlySet<string>
  /** networks allowed although private, loopback, link-local... */
  networks: readonly Cidr[]
}

const HOST_NAME =
  /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/

/** Parses allow-list entries (`idp.internal`, `127.0.0.1`, `10.0.0.0/8`, `fd00::/8`); throws naming a bad one. */
export function outboundPolicy(entries: readonly string[] = []): OutboundPolicy {
  const hosts = new Set<string>()
  const networks: Cidr[] = []
  for (const raw of entries) {
    const entry = raw.trim().toLowerCase()
    if (entry === '') continue
    const network = parseCidr(entry)
    if (network) networks.push(network)
    else if (!entry.includes('/') && HOST_NAME.test(entry.replace(/\.$/, '')))
      hosts.add(entry.replace(/\.$/, ''))
    else throw new Error(`"${raw.trim()}" is neither a host name, an IP address nor a network (CIDR).`)
  }
  return { hosts, networks }
}

/** The host name as the allow-list spells it: lowercase, without brackets or a trailing dot. */
export function normalizeHost(hostname: string): string {
  const lower = hostname.trim().toLowerCase().replace(/\.$/, '')
  return lower.startsWith('[') && lower.endsWith(']') ? lower.slice(1, -1) : lower
}

/** True when the operator listed this host by name, or listed a network holding its literal address. */
export function isListedHost(policy: OutboundPolicy, hostname: string): boolean {
  const host = normalizeHost(hostname)
  if (policy.hosts.has(host)) return true
  const literal = parseIpAddress(host)
  return literal !== undefined && isListedAddress(policy, literal)
}

function isListedAddress(policy: OutboundPolicy, address: IpAddress): boolean {
  const embedded = embeddedIPv4(address)
  return policy.networks.some(
    (network) => inCidr(address, network) || (embedded && inCidr(embedded, network)),
  )
}

export type AddressVerdict = { allowed: true } | { allowed: false; category: AddressCategory }

/**
 * Whether a connection to `address` (the one actually dialled) may go ahead: a public address, an
 * address inside a listed network, or any address of a host the operator listed by name.
 */
export function checkAddress(policy: OutboundPolicy, address: string, hostname?: string): AddressVerdict {
  const parsed = parseIpAddress(address)
  // a resolver or socket that hands back something unparseable is refused, not trusted
  if (!parsed) return { allowed: false, category: 'reserved' }
  if (hostname !== undefined && policy.hosts.has(normalizeHost(hostname))) return { allowed: true }
  if (isListedAddress(policy, parsed)) return { allowed: true }
  const category = classifyAddress(parsed)
  return category === 'public' ? { allowed: true } : { allowed: false, category }
}
