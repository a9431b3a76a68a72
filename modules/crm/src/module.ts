import { fileURLToPath } from 'node:url'
import { defineModule } from '@tessera/kernel'
import { partnersModule } from '@tessera/partners'
import { demoCrm } from './demo.ts'
import { activityEntity } from './entities/activity.ts'
import { opportunityEntity } from './entities/opportunity.ts'
import { stageEntity } from './entities/stage.ts'
import { recomputeAllTenants } from './jobs.ts'
import { crmRoutes } from './routes.ts'
import { seedCrm } from './seed.ts'
import { CRM_EVENTS, crmSubscribers } from './subscribers.ts'

const rights = (entity: string, actions: readonly string[]) => actions.map((a) => `crm.${entity}:${a}`)
const WORK = ['read', 'create', 'update', 'export']
const ALL = ['read', 'create', 'update', 'delete', 'export', 'import']
const DEALS = ['win', 'lose', 'reopen']

/**
 * CRM: leads and opportunities in a configurable pipeline, activities, timelines, the 360-degree
 * view of a contact, deal confidence, the daily focus and the customer memory. Depends on
 * partners only; sales and projects hear of it through its events.
 */
export const crmModule = defineModule({
  name: 'crm',
  version: '0.1.0',
  description: 'Leads, opportunities, pipeline, activities and customer insight.',
  depends: [partnersModule],
  migrations: fileURLToPath(new URL('../migrations', import.meta.url)),
  entities: [stageEntity, opportunityEntity, activityEntity],
  permissions: ['crm.settings:read', 'crm.settings:manage'],
  events: CRM_EVENTS,
  subscribers: crmSubscribers,
  jobs: [{ name: 'crm.recompute-confidence', cron: '40 2 * * *', run: recomputeAllTenants }],
  menus: [
    { id: 'crm.root', label: 'CRM', icon: 'funnel', order: 30 },
    {
      id: 'crm.focus',
      label: 'My day',
      path: '/crm/focus',
      parent: 'crm.root',
      order: 1,
      permission: 'crm.opportunity:read',
    },
    {
      id: 'crm.pipeline',
      label: 'Pipeline',
      path: '/crm/pipeline',
      parent: 'crm.root',
      order: 2,
      permission: 'crm.opportunity:read',
    },
    {
      id: 'crm.leads',
      label: 'Leads',
      path: '/crm/leads',
      parent: 'crm.root',
      order: 3,
      permission: 'crm.opportunity:read',
    },
    {
      id: 'crm.activities',
      label: 'Activities',
      path: '/crm/activities',
      parent: 'crm.root',
      order: 4,
      permission: 'crm.activity:read',
    },
    {
      id: 'crm.stages',
      label: 'Stages',
      path: '/crm/stages',
      parent: 'crm.root',
      order: 5,
      permission: 'crm.stage:update',
    },
    {
      id: 'crm.settings',
      label: 'Confidence weights',
      path: '/crm/settings',
      parent: 'crm.root',
      order: 6,
      permission: 'crm.settings:manage',
    },
  ],
  roles: [
    {
      key: 'crm_user',
      name: 'CRM user',
      description: 'Works leads, opportunities and activities; reads the pipeline stages and contacts.',
      permissions: [
        ...rights('opportunity', [...WORK, ...DEALS]),
        ...rights('activity', WORK),
        'crm.stage:read',
        'crm.settings:read',
        'partners.partner:read',
        'partners.partner:create',
        'partners.partner:update',
        'partners.tag:read',
      ],
    },
    {
      key: 'crm_manager',
      name: 'CRM manager',
      description: 'Every right on the CRM: stages, confidence weights, deleting and importing included.',
      permissions: [
        ...rights('opportunity', [...ALL, ...DEALS]),
        ...rights('activity', ALL),
        ...rights('stage', ALL),
        'crm.settings:read',
        'crm.settings:manage',
        'partners.partner:read',
        'partners.partner:create',
        'partners.partner:update',
        'partners.tag:read',
      ],
    },
  ],
  routes: crmRoutes,
  seed: seedCrm,
  demo: demoCrm,
})
