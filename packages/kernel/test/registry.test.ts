import {
  createRegistry,
  defineModule,
  kernelMigrations,
  type ModuleManifest,
  migrationSources,
} from '@tessera/kernel'
import { describe, expect, it } from 'vitest'

const partners = defineModule({ name: 'partners', version: '1.0.0', migrations: '/m/partners' })
const crm = defineModule({ name: 'crm', version: '1.0.0', depends: [partners], migrations: '/m/crm' })
const sales = defineModule({ name: 'sales', version: '1.0.0', depends: [partners, crm] })

describe('module registry', () => {
  it('orders modules after their dependencies, whatever the installed order', () => {
    const registry = createRegistry([sales, crm, partners])
    expect(registry.modules.map((m) => m.name)).toEqual(['partners', 'crm', 'sales'])
    expect(migrationSources(kernelMigrations, registry).map((s) => s.module)).toEqual([
      'kernel',
      'partners',
      'crm',
    ])
  })

  it('enables only the modules named, with their order kept', () => {
    expect(createRegistry([sales, crm, partners], ['crm', 'partners']).modules.map((m) => m.name)).toEqual([
      'partners',
      'crm',
    ])
  })

  it('stops on a dependency that is not enabled', () => {
    expect(() => createRegistry([sales, crm, partners], ['crm'])).toThrow(
      'Module "crm" depends on "partners", which is not enabled.',
    )
  })

  it('stops on an unknown module name', () => {
    expect(() => createRegistry([partners], ['nope'])).toThrow('Module "nope" is enabled but not installed.')
  })

  it('stops on a cycle, naming it', () => {
    const a: { name: string; version: string; depends: ModuleManifest[] } = {
      name: 'aa',
      version: '1',
      depends: [],
    }
    const b = { name: 'bb', version: '1', depends: [a] }
    a.depends.push(b)
    expect(() => createRegistry([a, b])).toThrow('Module dependency cycle: aa -> bb -> aa.')
  })

  it('refuses a malformed module name', () => {
    expect(() => defineModule({ name: 'Bad Name', version: '1' })).toThrow(/lower-case/)
  })
})
