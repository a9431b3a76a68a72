import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTestDatabase, onServer, runCli, type TestDatabase } from '@tessera/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let dir: string
let database: TestDatabase | undefined
let env: Record<string, string>

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-cli-'))
  if (onServer()) {
    database = await createTestDatabase()
    env = { DATABASE_URL: database.url as string }
  } else {
    env = { TESSERA_DATA_DIR: join(dir, 'data') }
  }
})
afterAll(async () => {
  await database?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('tessera CLI', () => {
  it('prints help for every command and exits 0', async () => {
    const root = await runCli(['--help'])
    expect(root.code).toBe(0)
    for (const command of ['start', 'migrate', 'tenant', 'backup', 'restore'])
      expect(root.stdout).toContain(command)
    const create = await runCli(['tenant', 'create', '--help'])
    expect(create.code).toBe(0)
    expect(create.stdout).toContain('--currency <code>')
  })

  it.each([
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['tenant', 'create'], /required option '--name <name>' not specified/],
    [['backup'], /required option '--out <file>' not specified/],
    [['tenant', 'list', '--bogus'], /unknown option '--bogus'/],
  ])('prints usage and exits 2 for bad arguments: %j', async (args, message) => {
    const result = await runCli(args)
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(message)
    expect(result.stderr).toMatch(/Usage: tessera/)
  })

  it('migrates idempotently', async () => {
    const first = await runCli(['migrate'], env)
    expect(first.code, first.stderr).toBe(0)
    const second = await runCli(['migrate'], env)
    expect(second.code, second.stderr).toBe(0)
    expect(second.stdout).toContain('Database is up to date.')
  })

  it('creates and lists tenants', async () => {
    const created = await runCli(
      ['tenant', 'create', '--name', 'Umbrella Corp', '--currency', 'GBP', '--json'],
      env,
    )
    expect(created.code, created.stderr).toBe(0)
    const { tenant, company } = JSON.parse(created.stdout)
    expect(tenant).toMatchObject({ name: 'Umbrella Corp', slug: 'umbrella-corp' })
    expect(company).toMatchObject({ currency: 'GBP', tenant_id: tenant.id })
    expect(company.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)

    const listed = await runCli(['tenant', 'list', '--json'], env)
    expect(JSON.parse(listed.stdout).map((t: { slug: string }) => t.slug)).toContain('umbrella-corp')
  })

  it('refuses bad tenant input with the field named, exit 1, and writes nothing', async () => {
    const before = JSON.parse((await runCli(['tenant', 'list', '--json'], env)).stdout).length
    const bad = await runCli(
      ['tenant', 'create', '--name', 'Bad Co', '--currency', 'XYZ', '--timezone', 'Nowhere/Land'],
      env,
    )
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('company.timezone')
    const after = JSON.parse((await runCli(['tenant', 'list', '--json'], env)).stdout).length
    expect(after).toBe(before)
  })
})

describe('tessera user create', () => {
  it('adds a new user with a generated password printed once, and an existing one without', async () => {
    const tenant = await runCli(['tenant', 'create', '--name', 'Wayne Enterprises', '--json'], env)
    expect(tenant.code, tenant.stderr).toBe(0)
    const email = `bruce-${Date.now()}@example.com`
    const created = await runCli(
      ['user', 'create', '--tenant', 'wayne-enterprises', '--email', email, '--role', 'owner', '--json'],
      env,
    )
    expect(created.code, created.stderr).toBe(0)
    const result = JSON.parse(created.stdout)
    expect(result).toMatchObject({ tenant: 'wayne-enterprises', email, roles: ['owner'] })
    expect(result.password).toMatch(/^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/)

    await runCli(['tenant', 'create', '--name', 'Wayne Foundation'], env)
    const joined = await runCli(
      ['user', 'create', '--tenant', 'wayne-foundation', '--email', email, '--role', 'user', '--json'],
      env,
    )
    expect(joined.code, joined.stderr).toBe(0)
    expect(JSON.parse(joined.stdout).password).toBeUndefined()
  })

  it.each([
    [
      ['--tenant', 'no-such-tenant', '--email', 'a@example.com', '--role', 'owner'],
      /No tenant has the slug "no-such-tenant"/,
    ],
    [['--tenant', 'wayne-enterprises', '--email', 'not-an-email', '--role', 'owner'], /email/],
    [['--tenant', 'wayne-enterprises', '--email', 'b@example.com', '--role', 'Bad Role'], /roles\[0\]/],
  ])('refuses %j with a clear message and exit 1', async (args, message) => {
    const result = await runCli(['user', 'create', ...args], env)
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(message)
  })
})
