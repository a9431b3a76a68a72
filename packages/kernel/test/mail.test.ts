import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { type AddressInfo, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SMTPServer } from 'smtp-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigError } from '../src/config.ts'
import { Invalid } from '../src/errors/errors.ts'
import {
  createMailer,
  MailDeliveryError,
  type Mailer,
  type MailLog,
  type MailMessage,
} from '../src/mail/index.ts'
import { smtpSettings } from '../src/mail/smtp-sender.ts'

const USER = 'mailer'
const PASSWORD = 's3cret-pa55'
const FROM = 'Tessera <noreply@tessera.test>'
const RESET: MailMessage = {
  to: 'alice@example.com',
  subject: 'Reset your password',
  text: 'Your reset code is 918273.',
  html: '<p>Your reset code is <b>918273</b>.</p>',
}

interface Received {
  from: string
  to: string[]
  raw: string
}

let server: SMTPServer
let port: number
let closedPort: number
let dataDir: string
const received: Received[] = []
const mailers: Mailer[] = []

/** A real SMTP server on a free port: plain connections, any login or none, mail kept in memory. */
function startSmtpServer(): Promise<SMTPServer> {
  const smtp = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === USER && auth.password === PASSWORD) return callback(null, { user: USER })
      // A careless server that echoes the credentials, so the test can see they are blanked out.
      callback(new Error(`Invalid credentials ${auth.username}:${auth.password}`))
    },
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith('nobody@')) return callback(new Error('No such mailbox here'))
      callback()
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        })
        callback()
      })
    },
  })
  return new Promise((resolve) => smtp.listen(0, '127.0.0.1', () => resolve(smtp)))
}

/** A port nothing listens on: bind one, then let it go. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer()
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo
      probe.close(() => resolve(port))
    })
  })
}

function recordingLog(): MailLog & { entries: { obj: object; msg: string }[] } {
  const entries: { obj: object; msg: string }[] = []
  return { entries, info: (obj, msg) => entries.push({ obj, msg }) }
}

function mailer(smtpUrl: string | undefined, dir = dataDir, log: MailLog = recordingLog()): Mailer {
  const created = createMailer({ smtpUrl, from: FROM, dataDir: dir, log })
  mailers.push(created)
  return created
}

const smtpUrl = (password = PASSWORD, atPort = port) =>
  `smtp://${USER}:${encodeURIComponent(password)}@127.0.0.1:${atPort}`

interface Mime {
  headers: Map<string, string>
  body: string
}

/** Just enough MIME to read what nodemailer wrote: unfolded headers, body, multipart parts. */
function parseMime(raw: string): Mime {
  const end = raw.indexOf('\r\n\r\n')
  const head = raw.slice(0, end).replace(/\r\n[ \t]+/g, ' ')
  const headers = new Map(
    head.split('\r\n').map((line) => {
      const colon = line.indexOf(':')
      return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()] as const
    }),
  )
  return { headers, body: raw.slice(end + 4) }
}

function mimeParts(message: Mime): Mime[] {
  const boundary = /boundary="?([^";]+)"?/.exec(message.headers.get('content-type') ?? '')?.[1]
  if (!boundary) return []
  return message.body
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((part) => parseMime(part.replace(/^\r\n/, '')))
}

beforeAll(async () => {
  server = await startSmtpServer()
  port = (server.server.address() as AddressInfo).port
  closedPort = await freePort()
  dataDir = await mkdtemp(join(tmpdir(), 'tessera-mail-'))
})

afterAll(async () => {
  for (const m of mailers) m.close()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  await rm(dataDir, { recursive: true, force: true })
})

describe('mail through SMTP', () => {
  it('delivers the message to the server', async () => {
    const sent = await mailer(smtpUrl()).send(RESET)

    expect(sent.messageId).toMatch(/^<.+@tessera\.test>$/)
    expect(sent.file).toBeUndefined()
    const delivered = received.find((r) => r.raw.includes(sent.messageId))
    expect(delivered?.from).toBe('noreply@tessera.test')
    expect(delivered?.to).toEqual(['alice@example.com'])
    const message = parseMime(delivered?.raw.replace(/\r?\n/g, '\r\n') ?? '')
    expect(message.headers.get('subject')).toBe('Reset your password')
    expect(message.headers.get('to')).toBe('alice@example.com')
    expect(message.headers.get('from')).toBe('Tessera <noreply@tessera.test>')
    expect(delivered?.raw).toContain('Your reset code is 918273.')
  })

  it('reports a rejected recipient without the password', async () => {
    const failure = await mailer(smtpUrl())
      .send({ ...RESET, to: 'nobody@example.com' })
      .catch((e: unknown) => e)

    expect(failure).toBeInstanceOf(MailDeliveryError)
    const error = failure as MailDeliveryError
    expect(error.message).toContain(`smtp://127.0.0.1:${port}`)
    expect(error.message).toContain('No such mailbox here')
    expect(error.message).not.toContain(PASSWORD)
    expect(error).toMatchObject({ code: 'EENVELOPE', responseCode: 550, permanent: true })
  })

  it('reports a server it cannot reach without the password', async () => {
    const failure = await mailer(smtpUrl(PASSWORD, closedPort))
      .send(RESET)
      .catch((e: unknown) => e)

    expect(failure).toBeInstanceOf(MailDeliveryError)
    const error = failure as MailDeliveryError
    expect(error.message).toContain(`smtp://127.0.0.1:${closedPort}`)
    expect(error.message).toMatch(/ECONNREFUSED/)
    expect(error.message).not.toContain(PASSWORD)
    expect(error).toMatchObject({ code: 'ESOCKET', permanent: false })
  })

  it('blanks out a password the server echoes back, as written and as encoded', async () => {
    const wrong = 'wr0ng p@ss/word'
    const failure = await mailer(smtpUrl(wrong))
      .send(RESET)
      .catch((e: unknown) => e)

    expect(failure).toBeInstanceOf(MailDeliveryError)
    const error = failure as MailDeliveryError
    expect(error.code).toBe('EAUTH')
    expect(error.message).toContain('Invalid credentials mailer:***')
    expect(error.message).not.toContain(wrong)
    expect(error.message).not.toContain(encodeURIComponent(wrong))
  })
})

describe('mail to .eml files when SMTP_URL is not set', () => {
  it('writes a private MIME file and logs where, never what', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tessera-eml-'))
    const log = recordingLog()
    try {
      const sent = await mailer(undefined, dir, log).send(RESET)

      const folder = join(dir, 'mail')
      expect(sent.file).toBeDefined()
      const file = sent.file as string
      expect(await readdir(folder)).toEqual([file.slice(folder.length + 1)])
      expect(file.slice(folder.length + 1)).toMatch(
        /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z-[0-9a-f]{12}\.eml$/,
      )
      expect((await stat(file)).mode & 0o777).toBe(0o600)
      expect((await stat(folder)).mode & 0o777).toBe(0o700)

      const message = parseMime(await readFile(file, 'utf8'))
      expect(message.headers.get('mime-version')).toBe('1.0')
      expect(message.headers.get('message-id')).toBe(sent.messageId)
      expect(message.headers.get('subject')).toBe('Reset your password')
      expect(message.headers.get('to')).toBe('alice@example.com')
      expect(message.headers.get('from')).toBe('Tessera <noreply@tessera.test>')
      expect(message.headers.get('content-type')).toMatch(/^multipart\/alternative;/)
      const parts = mimeParts(message)
      const text = parts.find((p) => p.headers.get('content-type')?.startsWith('text/plain'))
      const html = parts.find((p) => p.headers.get('content-type')?.startsWith('text/html'))
      expect(text?.body).toContain('Your reset code is 918273.')
      expect(html?.body).toContain('<b>918273</b>')

      expect(log.entries).toHaveLength(1)
      expect(log.entries[0]?.obj).toMatchObject({ file, messageId: sent.messageId })
      const logged = JSON.stringify(log.entries)
      expect(logged).not.toContain('918273')
      expect(logged).not.toContain('Reset your password')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('tightens a mail folder that already exists with a looser mode', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tessera-eml-'))
    try {
      await mkdir(join(dir, 'mail'), { mode: 0o755 })
      await mailer(undefined, dir).send(RESET)
      expect((await stat(join(dir, 'mail'))).mode & 0o777).toBe(0o700)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('message validation', () => {
  const refused: [string, string, Partial<MailMessage>][] = [
    ['CRLF in the subject', 'subject', { subject: 'Hello\r\nBcc: eve@evil.test' }],
    ['LF in the subject', 'subject', { subject: 'Hello\nBcc: eve@evil.test' }],
    ['CRLF in the recipient', 'to', { to: 'alice@example.com\r\nBcc: eve@evil.test' }],
    ['LF in the recipient', 'to', { to: 'alice@example.com\nBcc: eve@evil.test' }],
    ['a recipient that is no address', 'to', { to: 'not-an-address' }],
    ['two recipients', 'to', { to: 'alice@example.com, eve@evil.test' }],
    ['a recipient with a display name', 'to', { to: 'Alice <alice@example.com>' }],
    ['a subject over 200 characters', 'subject', { subject: 'x'.repeat(201) }],
  ]

  it.each(refused)('refuses %s as Invalid on %s, sending and writing nothing', async (_, field, change) => {
    const dir = await mkdtemp(join(tmpdir(), 'tessera-eml-'))
    const before = received.length
    try {
      for (const m of [mailer(smtpUrl()), mailer(undefined, dir)]) {
        const failure = await m.send({ ...RESET, ...change }).catch((e: unknown) => e)
        expect(failure).toBeInstanceOf(Invalid)
        expect((failure as Invalid).errors.map((e) => e.field)).toEqual([field])
      }
      expect(received.length).toBe(before)
      expect(await readdir(dir)).toEqual([])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('accepts a subject of exactly 200 characters', async () => {
    const sent = await mailer(smtpUrl()).send({ ...RESET, subject: 'é'.repeat(200) })
    expect(received.some((r) => r.raw.includes(sent.messageId))).toBe(true)
  })
})

describe('settings', () => {
  it('refuses a MAIL_FROM that is not one address', () => {
    for (const from of ['nobody', 'a@example.com, b@example.com', 'a@example.com\r\nBcc: eve@evil.test']) {
      expect(() => createMailer({ smtpUrl: undefined, from, dataDir, log: recordingLog() })).toThrow(
        ConfigError,
      )
    }
  })

  it('refuses an SMTP_URL that is not smtp:// or smtps://, without quoting it', () => {
    for (const url of ['http://user:hunter2@mail.example.com', 'smtp//user:hunter2@mail.example.com']) {
      expect(() => smtpSettings(url)).toThrow(ConfigError)
      expect(() => smtpSettings(url)).not.toThrow(/hunter2/)
    }
  })

  it('insists on TLS before sending a password to a remote relay over smtp://', () => {
    expect(smtpSettings('smtp://u:p@mail.example.com:587').options.requireTLS).toBe(true)
    expect(smtpSettings('smtp://mail.example.com:25').options.requireTLS).toBeUndefined()
    expect(smtpSettings('smtps://u:p@mail.example.com').options.requireTLS).toBeUndefined()
    expect(smtpSettings('smtp://u:p@127.0.0.1:2525').options.requireTLS).toBeUndefined()
  })
})
