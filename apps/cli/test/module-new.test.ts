import { spawn } from 'node:child_process'
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  checkSchema,
  createRegistry,
  kernelMigrations,
  type ModuleManifest,
  migrate,
  migrationSources,
} from '@tessera/kernel'
import { installedModules } from '@tessera/server'
import { allGlobalTables, createTestDatabase, runCli } from '@tessera/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const REPOSITORY = fileURLToPath(new URL('../../../', import.meta.url))

/** A scratch copy of the repository's layout: the template, node_modules and the TypeScript settings. */
let root: string
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'tessera-module-new-'))
  cpSync(join(REPOSITORY, 'modules', '_template'), join(root, 'modules', '_template'), { recursive: true })
  symlinkSync(join(REPOSITORY, 'node_modules'), join(root, 'node_modules'), 'dir')
  writeFileSync(
    join(root, 'tsconfig.json'),
    JSON.stringify({
      extends: join(REPOSITORY, 'tsconfig.json'),
      include: ['modules/*/src', 'modules/*/test'],
    }),
  )
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

const newModule = (...args: string[]) => runCli(['module', 'new', ...args, '--root', root])
const modulesFolder = () => readdirSync(join(root, 'modules')).sort()

/** Every file under `dir`, relative, sorted. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort()
}

function typecheck(project: string): Promise<{ code: number | null; output: string }> {
  const tsc = join(REPOSITORY, 'node_modules', 'typescript', 'bin', 'tsc')
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsc, '--noEmit', '-p', project], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (chunk) => {
      output += chunk
    })
    child.stderr.on('data', (chunk) => {
      output += chunk
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, output }))
  })
}

describe('tessera module new', () => {
  it('scaffolds a module that typechecks and whose migration passes the schema guard', async () => {
    const result = await newModule('field_notes')
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain("import { field_notesModule } from '@tessera/field_notes'")

    const dir = join(root, 'modules', 'field_notes')
    expect(filesUnder(dir)).toEqual([
      'migrations/0001_init.sql',
      'package.json',
      'src/index.ts',
      'src/module.ts',
      'test/module.test.ts',
    ])
    for (const file of filesUnder(dir))
      expect(readFileSync(join(dir, file), 'utf8')).not.toContain('__name__')
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))).toMatchObject({
      name: '@tessera/field_notes',
      exports: { '.': './src/index.ts' },
    })

    const checked = await typecheck(join(root, 'tsconfig.json'))
    expect(checked.code, checked.output).toBe(0)

    // The manifest loads, and its migration makes a tenant-scoped table on a real database.
    const { field_notesModule: manifest } = (await import(join(dir, 'src', 'index.ts'))) as {
      field_notesModule: ModuleManifest
    }
    expect(manifest).toMatchObject({ name: 'field_notes', version: '0.1.0' })
    const database = await createTestDatabase()
    try {
      const sources = migrationSources(kernelMigrations, createRegistry([...installedModules, manifest]))
      expect((await migrate(database.db, sources)).applied).toEqual(['field_notes/0001_init.sql'])
      expect(await checkSchema(database.db, allGlobalTables())).toEqual([])
      const table = await sql<{
        found: string | null
      }>`select to_regclass('field_notes_items')::text as found`.execute(database.db)
      expect(table.rows[0]?.found).toBe('field_notes_items')
    } finally {
      await database.close()
    }
  })

  it('refuses a folder that already exists and leaves it untouched', async () => {
    expect((await newModule('ledger')).code).toBe(0)
    const manifest = join(root, 'modules', 'ledger', 'src', 'module.ts')
    writeFileSync(manifest, '// edited by hand\n')
    const again = await newModule('ledger')
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('modules/ledger already exists')
    expect(readFileSync(manifest, 'utf8')).toBe('// edited by hand\n')
  })

  it.each([['Sales'], ['s'], ['a'.repeat(41)], ['../escape'], ['kernel']])(
    'refuses the name %j with usage and exit 2, writing nothing',
    async (name) => {
      const before = modulesFolder()
      const result = await newModule(name)
      expect(result.code).toBe(2)
      expect(result.stderr).toMatch(/is invalid for argument 'name'/)
      expect(result.stderr).toMatch(/Usage: tessera module new/)
      expect(modulesFolder()).toEqual(before)
    },
  )

  it('asks for a name', async () => {
    const result = await runCli(['module', 'new'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/missing required argument 'name'/)
  })

  it('explains a checkout without the module template', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'tessera-no-template-'))
    try {
      const result = await runCli(['module', 'new', 'sales', '--root', empty])
      expect(result.code).toBe(1)
      expect(result.stderr).toContain('No module template')
      expect(readdirSync(empty)).toEqual([])
    } finally {
      rmSync(empty, { recursive: true, force: true })
    }
  })
})

describe('tessera start with TESSERA_MODULES', () => {
  it('stops before opening the database when a module is not installed, naming it', async () => {
    const result = await runCli(['start'], { TESSERA_MODULES: 'nope', TESSERA_DATA_DIR: join(root, 'data') })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('Module "nope" is enabled but not installed.')
    expect(readdirSync(root)).not.toContain('data')
  })
})
