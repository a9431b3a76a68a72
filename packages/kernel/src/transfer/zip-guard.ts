import { inflateRawSync } from 'node:zlib'

/** The most an uploaded XLSX may hold once unpacked. */
export const MAX_UNPACKED_BYTES = 64 * 1024 * 1024
const MAX_ENTRIES = 10_000

/**
 * Refuses a zip (an XLSX) that would unpack to more than `limit` bytes — a zip bomb of a few
 * kilobytes can expand to gigabytes inside the XLSX reader. Each entry is inflated here with a
 * hard output cap rather than trusting the sizes the archive declares. Returns a reason, or
 * undefined when the archive is within bounds.
 */
export function zipProblem(zip: Buffer, limit = MAX_UNPACKED_BYTES): string | undefined {
  const end = endOfCentralDirectory(zip)
  if (end < 0) return 'it is not an XLSX file (no zip directory)'
  const entries = zip.readUInt16LE(end + 10)
  let at = zip.readUInt32LE(end + 16)
  if (entries > MAX_ENTRIES) return 'it holds too many parts'
  let left = limit
  for (let i = 0; i < entries; i++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== 0x02014b50) return 'its zip directory is damaged'
    const method = zip.readUInt16LE(at + 10)
    const compressed = zip.readUInt32LE(at + 20)
    const local = zip.readUInt32LE(at + 42)
    at += 46 + zip.readUInt16LE(at + 28) + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32)
    if (local + 30 > zip.length || zip.readUInt32LE(local) !== 0x04034b50)
      return 'its zip entries are damaged'
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28)
    const data = zip.subarray(start, start + compressed)
    if (data.length !== compressed) return 'its zip entries are damaged'
    if (method === 0) left -= compressed
    else if (method === 8) {
      try {
        left -= inflateRawSync(data, { maxOutputLength: Math.max(left, 1) }).length
      } catch {
        return `it unpacks to more than ${Math.round(limit / 1024 / 1024)} MiB, or is damaged`
      }
    } else return 'it uses an unsupported zip compression'
    if (left < 0) return `it unpacks to more than ${Math.round(limit / 1024 / 1024)} MiB`
  }
  return undefined
}

function endOfCentralDirectory(zip: Buffer): number {
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 65_535); at--) {
    if (zip.readUInt32LE(at) === 0x06054b50) return at
  }
  return -1
}
