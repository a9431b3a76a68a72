/** How many leading bytes sniffing looks at. */
export const SNIFF_BYTES = 4096

const OCTET_STREAM = 'application/octet-stream'

/** Magic numbers at the start of a file; `null` matches any byte. */
const SIGNATURES: readonly { type: string; bytes: readonly (number | null)[] }[] = [
  { type: 'image/png', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { type: 'image/jpeg', bytes: [0xff, 0xd8, 0xff] },
  { type: 'image/gif', bytes: ascii('GIF87a') },
  { type: 'image/gif', bytes: ascii('GIF89a') },
  { type: 'image/webp', bytes: [...ascii('RIFF'), null, null, null, null, ...ascii('WEBP')] },
  { type: 'application/pdf', bytes: ascii('%PDF-') },
  { type: 'application/zip', bytes: [0x50, 0x4b, 0x03, 0x04] },
  { type: 'application/zip', bytes: [0x50, 0x4b, 0x05, 0x06] },
]

/** Office Open XML documents are zip archives; their extension says which kind. */
const OFFICE: Readonly<Record<string, string>> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
}

/** Control characters that do not occur in text: everything below space but tab, LF, FF, CR and ESC. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const BINARY_CONTROL = /[\u0000-\u0008\u000b\u000e-\u001a\u001c-\u001f\u007f]/

/**
 * The type a file is served with, from its first bytes (`head`, up to SNIFF_BYTES): a few image,
 * PDF and zip formats, UTF-8 text, else application/octet-stream. The client's declared type is
 * never used: a page uploaded as image/png, or a PNG named evil.html, is served as what it is,
 * and nothing is ever served as HTML, SVG or script. The name only tells Office documents apart
 * once the bytes are known to be a zip archive.
 */
export function sniffContentType(head: Buffer, name: string): string {
  const found = SIGNATURES.find(({ bytes }) =>
    bytes.every((byte, i) => i < head.length && (byte === null || head[i] === byte)),
  )
  if (found?.type === 'application/zip') {
    const extension = /\.([a-z]+)$/i.exec(name)?.[1]?.toLowerCase() ?? ''
    return OFFICE[extension] ?? found.type
  }
  if (found) return found.type
  return isText(head) ? 'text/plain' : OCTET_STREAM
}

/** UTF-8 without binary control characters; a multi-byte character cut at the end of `head` is fine. */
function isText(head: Buffer): boolean {
  if (head.length === 0) return false
  const text =
    decodeUtf8(head) ?? (head.length >= SNIFF_BYTES ? decodeUtf8(trimCutCharacter(head)) : undefined)
  return text !== undefined && !BINARY_CONTROL.test(text)
}

function decodeUtf8(bytes: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return undefined
  }
}

/** `head` without the start of a multi-byte character that the sniff limit cut off. */
function trimCutCharacter(head: Buffer): Buffer {
  for (let back = 1; back <= 3 && back <= head.length; back++) {
    const byte = head[head.length - back] as number
    // a continuation byte (10xxxxxx): keep looking for the lead byte
    if ((byte & 0xc0) === 0x80) continue
    // a lead byte (11xxxxxx) whose character needed more bytes than remain
    return byte >= 0xc0 ? head.subarray(0, head.length - back) : head
  }
  return head
}

function ascii(text: string): number[] {
  return [...text].map((c) => c.charCodeAt(0))
}
