import { Invalid } from '../errors/errors.ts'
import { parseIpAddress } from '../outbound/address.ts'
import type { OutboundGuard } from '../outbound/guard.ts'
import { normalizeHost } from '../outbound/policy.ts'
import { OutboundRefused } from '../outbound/refused.ts'

/**
 * Refuses (400 naming `url`) a webhook URL the outbound guard would not call: not http(s),
 * credentials in it, or a host that is or resolves to a loopback, private, link-local or metadata
 * address in any spelling, unless TESSERA_OUTBOUND_ALLOW lists it. Checked again on every
 * delivery, on the address actually connected to, since DNS answers change.
 */
export async function assertWebhookUrl(guard: OutboundGuard, url: string): Promise<void> {
  let parsed: URL
  try {
    parsed = guard.assertUrl(url)
  } catch (err) {
    if (err instanceof OutboundRefused) throw Invalid.field('url', err.message, 'url_refused')
    throw err
  }
  if (parseIpAddress(normalizeHost(parsed.hostname))) return
  await new Promise<void>((resolve, reject) => {
    guard.lookup(parsed.hostname, { all: true }, (err) => {
      if (!err) return resolve()
      if (err instanceof OutboundRefused) return reject(Invalid.field('url', err.message, 'url_refused'))
      reject(Invalid.field('url', `${parsed.hostname} does not resolve to an address.`, 'url_unresolvable'))
    })
  })
}
