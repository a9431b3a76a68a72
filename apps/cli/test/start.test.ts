import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { createTestDatabase, onServer, runCli, spawnCli, type TestDatabase } from '@tessera/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let dir: string
let database: TestDatabase | undefined
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-start-'))
  if (onServer()) database = await createTestDatabase()
})
afterAll(async () => {
  await database?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('tessera start', () => {
  it('serves, prints its URL, and on SIGTERM finishes in-flight work, closes the database and exits 0', async () => {
    const dataDir = join(dir, 'data')
    const child = spawnCli(['start'], {
      PORT: '0',
      ...(database ? { DATABASE_URL: database.url } : { TESSERA_DATA_DIR: dataDir }),
    })
    let stdout = ''
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk) => {
        stdout += chunk
        const match = /running at (http:\/\/\S+) /.exec(stdout)
        if (match?.[1]) resolve(match[1])
      })
      child.on('exit', (code) => reject(new Error(`exited early with ${code}: ${stdout}`)))
    })
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))

    expect((await fetch(`${url}/readyz`)).status).toBe(200)
    // an empty database gets a demo tenant whose generated password is printed once and works
    await new Promise((resolve) => setTimeout(resolve, 100))
    const demo = /Sign in as (\S+) with the password (\S+)/.exec(stdout)
    expect(demo, stdout).not.toBeNull()
    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: demo?.[1], password: demo?.[2] }),
    })
    expect(login.status).toBe(200)
    expect(((await login.json()) as { tenant: { slug: string } }).tenant.slug).toBe('demo')
    if (!database) expect(existsSync(join(dataDir, 'tessera.lock'))).toBe(true)
    // A request whose body is still arriving when SIGTERM comes must still get its answer.
    const { request, response } = startSlowRequest(url)
    request.write('{')
    await delay(300)
    child.kill('SIGTERM')
    await delay(300)
    request.end('}')
    expect((await response).statusCode).toBe(404)
    expect(await exited).toBe(0)
    if (!database) expect(existsSync(join(dataDir, 'tessera.lock'))).toBe(false)
  })

  it('refuses to start with a server secret shorter than 32 bytes, saying so', async () => {
    const result = await runCli(['start'], {
      PORT: '0',
      TESSERA_DATA_DIR: join(dir, 'short-secret'),
      TESSERA_SECRET: 'too-short',
    })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('TESSERA_SECRET must be at least 32 bytes')
    expect(result.stdout).not.toContain('running at')
  })
})

function startSlowRequest(url: string) {
  const request = httpRequest(`${url}/api/v1/not-a-route`, {
    method: 'POST',
    agent: false,
    headers: { 'content-type': 'application/json', 'content-length': '2' },
  })
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    request.on('response', (res) => {
      res.resume()
      resolve(res)
    })
    request.on('error', reject)
  })
  request.flushHeaders()
  return { request, response }
}
