import cronParser from 'cron-parser'
import { type ColumnType, sql } from 'kysely'
import type { Db, Tx } from '../db/schema.ts'
import { withSystem, withTenant } from '../db/tenant.ts'
import { Invalid } from '../errors/errors.ts'
import { isTimeZone } from '../schemas/validate.ts'
import type { Jobs } from './jobs.ts'

/** The platform job that, each minute, turns the tenants' due schedules into jobs. */
export const CRON_TICK = 'kernel.cron-tick'

/** A tenant's cron schedule (migration 0015_events.sql). */
export interface JobSchedulesTable {
  tenant_id: string
  name: string
  cron: string
  timezone: string
  data: ColumnType<Record<string, unknown>, string, string>
  created_at: ColumnType<Date, Date | string | undefined, never>
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>
}

const schedulesTx = (trx: Tx) => trx.withTables<{ job_schedules: JobSchedulesTable }>()

const JOB_NAME = /^[a-z][a-z0-9_.-]{0,99}$/

export interface ScheduleInput {
  name: string
  cron: string
  timezone: string
  data: object
}

/** Saves (or replaces) the schedule of job `name` in the transaction's tenant. */
export async function saveSchedule(trx: Tx, input: ScheduleInput): Promise<void> {
  if (!JOB_NAME.test(input.name))
    throw Invalid.field('name', 'A job name is lower-case letters, digits, _ . or -, at most 100.')
  if (!isTimeZone(input.timezone)) throw Invalid.field('timezone', 'The time zone is not an IANA time zone.')
  checkCron(input.cron, input.timezone)
  const data = JSON.stringify(input.data)
  await schedulesTx(trx)
    .insertInto('job_schedules')
    .values({
      tenant_id: sql<string>`current_setting('app.tenant_id')::uuid`,
      name: input.name,
      cron: input.cron,
      timezone: input.timezone,
      data,
    })
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'name']).doUpdateSet({
        cron: input.cron,
        timezone: input.timezone,
        data,
        updated_at: sql<Date>`now()`,
      }),
    )
    .execute()
}

export async function removeSchedule(trx: Tx, name: string): Promise<void> {
  await schedulesTx(trx).deleteFrom('job_schedules').where('name', '=', name).execute()
}

/** Five fields (minute hour day-of-month month day-of-week); 400 naming `cron` otherwise. */
function checkCron(cron: string, timezone: string): void {
  const fields = cron.trim().split(/\s+/)
  try {
    if (fields.length !== 5) throw new Error('five fields')
    cronParser.parseExpression(cron, { tz: timezone })
  } catch {
    throw Invalid.field('cron', 'The schedule must be a cron expression of five fields, e.g. "0 3 * * *".')
  }
}

/** Whether the schedule fires in the minute starting at `minute`. */
export function firesAt(cron: string, timezone: string, minute: Date): boolean {
  const next = cronParser.parseExpression(cron, { tz: timezone, currentDate: new Date(minute.getTime() - 1) })
  return next.next().getTime() === minute.getTime()
}

/**
 * Enqueues every schedule due in the current minute, tenant by tenant (the owner lists tenants;
 * each tenant's schedules are read inside it). The job's singleton key makes a tick that runs
 * twice in a minute enqueue each job once.
 */
export async function dueSchedules(db: Db, jobs: Jobs): Promise<void> {
  const minute = new Date(Math.floor(Date.now() / 60_000) * 60_000)
  const tenants = await withSystem(db, (trx) => trx.selectFrom('tenants').select('id').execute())
  for (const { id: tenantId } of tenants) {
    const schedules = await withTenant(db, tenantId, (trx) =>
      schedulesTx(trx).selectFrom('job_schedules').select(['name', 'cron', 'timezone', 'data']).execute(),
    )
    for (const s of schedules.filter((s) => firesAt(s.cron, s.timezone, minute))) {
      await jobs.enqueue(s.name, s.data, {
        tenantId,
        singletonKey: `${tenantId}:${s.name}:${minute.toISOString()}`,
        singletonSeconds: 60,
      })
    }
  }
}
