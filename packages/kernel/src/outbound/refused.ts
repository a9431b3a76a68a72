import type { AddressCategory } from './address.ts'

export type RefusalReason = 'scheme' | 'credentials' | 'address' | 'too_large'

/**
 * An outbound call the guard would not make (or stopped). The message names the host and the kind
 * of address, never the path or query, which may carry secrets.
 */
export class OutboundRefused extends Error {
  readonly reason: RefusalReason
  readonly category: AddressCategory | undefined
  constructor(reason: RefusalReason, message: string, category?: AddressCategory) {
    super(message)
    this.name = 'OutboundRefused'
    this.reason = reason
    this.category = category
  }
}

const DESCRIPTIONS: Record<AddressCategory, string> = {
  public: 'a public address',
  loopback: 'a loopback address',
  private: 'a private network address',
  shared: 'a carrier-grade NAT address',
  link_local: 'a link-local address',
  metadata: 'a cloud metadata address',
  unique_local: 'a unique-local address',
  unspecified: 'an unspecified address',
  multicast: 'a multicast address',
  documentation: 'a documentation-only address',
  reserved: 'a reserved address',
}

export function addressRefused(host: string, category: AddressCategory): OutboundRefused {
  return new OutboundRefused(
    'address',
    `${host} is ${DESCRIPTIONS[category]}; outbound calls reach only public addresses unless TESSERA_OUTBOUND_ALLOW lists it.`,
    category,
  )
}
