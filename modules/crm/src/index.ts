/** @tessera/crm: leads, opportunities and activities. What other modules may use. */
export { activityEntity } from './entities/activity.ts'
export { opportunityEntity } from './entities/opportunity.ts'
export { stageEntity } from './entities/stage.ts'
export { crmModule } from './module.ts'
export { CRM_EVENTS } from './subscribers.ts'
