export {
  type AddressCategory,
  type Cidr,
  classifyAddress,
  formatIpAddress,
  type IpAddress,
  parseCidr,
  parseIpAddress,
} from './address.ts'
export {
  createOutboundGuard,
  type OutboundFetch,
  type OutboundGuard,
  type OutboundGuardOptions,
  type OutboundRequestInit,
} from './guard.ts'
export {
  type AddressVerdict,
  checkAddress,
  isListedHost,
  type OutboundPolicy,
  outboundPolicy,
} from './policy.ts'
export { OutboundRefused, type RefusalReason } from './refused.ts'
