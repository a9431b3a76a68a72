export {
  createJobs,
  DEAD_LETTER_QUEUE,
  type DeadLetter,
  type EnqueueOptions,
  type Job,
  type Jobs,
  type JobsOptions,
} from './jobs.ts'
export { CRON_TICK, dueSchedules as enqueueDueSchedules, firesAt } from './schedules.ts'
