import { fileURLToPath } from 'node:url'
import { defineModule } from '@tessera/kernel'
import { demoPartners } from './demo.ts'
import { addressEntity } from './entities/address.ts'
import { categoryEntity } from './entities/category.ts'
import { partnerEntity } from './entities/partner.ts'
import { tagEntity } from './entities/tag.ts'
import { partnersRoutes } from './routes.ts'
import { seedPartners } from './seed.ts'

const rights = (entity: string, actions: readonly string[]) => actions.map((a) => `partners.${entity}:${a}`)
const ENTITIES = ['partner', 'address', 'tag', 'category']

/**
 * Contacts: the reference module, built only from what the kernel offers (entities, generic REST,
 * roles, menus, a seed, one route of its own), as every later module is.
 */
export const partnersModule = defineModule({
  name: 'partners',
  version: '0.1.0',
  description: 'Contacts: people and organisations, their addresses, tags and categories.',
  migrations: fileURLToPath(new URL('../migrations', import.meta.url)),
  globalTables: ['countries'],
  entities: [partnerEntity, addressEntity, tagEntity, categoryEntity],
  menus: [
    { id: 'partners.root', label: 'Contacts', icon: 'contacts', order: 20 },
    {
      id: 'partners.partners',
      label: 'Contacts',
      path: '/partners',
      parent: 'partners.root',
      order: 1,
      permission: 'partners.partner:read',
    },
    {
      id: 'partners.tags',
      label: 'Tags',
      path: '/partners/tags',
      parent: 'partners.root',
      order: 2,
      permission: 'partners.tag:read',
    },
    {
      id: 'partners.categories',
      label: 'Categories',
      path: '/partners/categories',
      parent: 'partners.root',
      order: 3,
      permission: 'partners.category:read',
    },
  ],
  roles: [
    {
      key: 'partners_user',
      name: 'Contacts user',
      description: 'Reads, creates, edits and exports contacts, their tags and categories.',
      permissions: ENTITIES.flatMap((e) => rights(e, ['read', 'create', 'update', 'export'])),
    },
    {
      key: 'partners_manager',
      name: 'Contacts manager',
      description: 'Every right on contacts, tags and categories, deleting and importing included.',
      permissions: ENTITIES.flatMap((e) =>
        rights(e, ['read', 'create', 'update', 'delete', 'export', 'import']),
      ),
    },
  ],
  routes: partnersRoutes,
  seed: seedPartners,
  demo: demoPartners,
})
