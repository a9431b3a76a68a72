import { MAX_NAME_BYTES, SNIFF_BYTES, sanitiseFileName, sniffContentType } from '@tessera/kernel'
import { describe, expect, it } from 'vitest'
import { attachment } from '../../src/files/download.ts'
import { PNG } from './helpers.ts'

const bytes = (...values: number[]) => Buffer.from(values)
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'

describe('sniffContentType', () => {
  it.each([
    ['a PNG', PNG, 'x.html', 'image/png'],
    ['a JPEG', bytes(0xff, 0xd8, 0xff, 0xe0, 0, 0x10), 'x.txt', 'image/jpeg'],
    ['a GIF87a', Buffer.from('GIF87a\x01\x00'), 'x', 'image/gif'],
    ['a GIF89a', Buffer.from('GIF89a\x01\x00'), 'x', 'image/gif'],
    [
      'a WebP',
      Buffer.concat([Buffer.from('RIFF'), bytes(1, 2, 3, 4), Buffer.from('WEBPVP8 ')]),
      'x',
      'image/webp',
    ],
    ['a PDF', Buffer.from('%PDF-1.4\n'), 'x.exe', 'application/pdf'],
    ['a zip', bytes(0x50, 0x4b, 0x03, 0x04, 0x14), 'x.zip', 'application/zip'],
    ['an empty zip', bytes(0x50, 0x4b, 0x05, 0x06, 0), 'x.zip', 'application/zip'],
    ['a zip named .xlsx', bytes(0x50, 0x4b, 0x03, 0x04, 0x14), 'Budget.XLSX', XLSX],
    ['a zip named .docx', bytes(0x50, 0x4b, 0x03, 0x04, 0x14), 'letter.docx', DOCX],
    ['a text named .xlsx', Buffer.from('a,b\n1,2\n'), 'fake.xlsx', 'text/plain'],
    ['UTF-8 text', Buffer.from('Grüße, 你好 😀\r\n\tend'), 'x', 'text/plain'],
    ['HTML', Buffer.from('<html><script>alert(1)</script></html>'), 'x.html', 'text/plain'],
    ['an empty file', Buffer.alloc(0), 'x.txt', 'application/octet-stream'],
    ['bytes with NUL', Buffer.from('abc\u0000def'), 'x.txt', 'application/octet-stream'],
    ['invalid UTF-8', bytes(0x61, 0xc3, 0x28), 'x.txt', 'application/octet-stream'],
    ['a truncated PNG signature', PNG.subarray(0, 4), 'x.png', 'application/octet-stream'],
  ])('%s', (_what, head, name, type) => {
    expect(sniffContentType(head, name)).toBe(type)
  })

  it('accepts text whose last character the sniff limit cut in half', () => {
    const head = Buffer.from(`${'a'.repeat(SNIFF_BYTES - 1)}€`).subarray(0, SNIFF_BYTES)
    expect(sniffContentType(head, 'x')).toBe('text/plain')
  })
})

describe('sanitiseFileName', () => {
  it.each([
    ['report.pdf', 'report.pdf'],
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\Windows\\win.ini', 'win.ini'],
    ['/absolute/path.txt', 'path.txt'],
    ['dir/', 'file'],
    ['..', 'file'],
    ['.htaccess', 'htaccess'],
    ['  spaced name.txt  ', 'spaced name.txt'],
    ['trailing.dot.', 'trailing.dot'],
    ['a<b>c:d"e|f?g*h.txt', 'a_b_c_d_e_f_g_h.txt'],
    ['line\r\nbreak\u0000.txt', 'linebreak.txt'],
    ['invoice\u202etxt.exe', 'invoicetxt.exe'],
    ['zero\u200bwidth.txt', 'zerowidth.txt'],
    ['e\u0301.txt', 'é.txt'],
    ['', 'file'],
  ])('%j becomes %j', (raw, clean) => {
    expect(sanitiseFileName(raw)).toBe(clean)
  })

  it(`keeps at most ${MAX_NAME_BYTES} bytes and the extension, without splitting a character`, () => {
    const name = sanitiseFileName(`${'ü'.repeat(300)}.pdf`)
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(MAX_NAME_BYTES)
    expect(name).toMatch(/^ü+\.pdf$/)
    const emoji = sanitiseFileName('😀'.repeat(100))
    expect(Buffer.byteLength(emoji)).toBeLessThanOrEqual(MAX_NAME_BYTES)
    expect(emoji).toMatch(/^(😀)+$/u)
  })
})

describe('Content-Disposition', () => {
  it.each([
    ['plain.txt', `attachment; filename="plain.txt"; filename*=UTF-8''plain.txt`],
    [
      'a "quoted" \\ name%.txt',
      `attachment; filename="a _quoted_ _ name_.txt"; filename*=UTF-8''a%20%22quoted%22%20%5C%20name%25.txt`,
    ],
    ["it's (1)*.txt", `attachment; filename="it's (1)*.txt"; filename*=UTF-8''it%27s%20%281%29%2A.txt`],
    ['日本.txt', `attachment; filename="__.txt"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.txt`],
  ])('%j', (name, header) => {
    expect(attachment(name)).toBe(header)
  })
})
