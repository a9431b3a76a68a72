import { useQuery } from '@tanstack/react-query'
import { Calendar, Grid, Spin } from 'antd'
import { useState } from 'react'
import { Link } from 'react-router'
import { api, query } from '../api/client.ts'
import { recordsPath } from '../api/queries.ts'
import type { EntityMeta, RecordPage } from '../api/types.ts'
import { displayOf, fieldValue, literal } from './values.ts'

const pad = (n: number) => String(n).padStart(2, '0')

/** The first days of the month shown and of the next one, as the filter language compares dates. */
function monthRange(month: string): [string, string] {
  const [year, m] = month.split('-').map(Number) as [number, number]
  const next = m === 12 ? `${year + 1}-01` : `${year}-${pad(m + 1)}`
  return [`${month}-01`, `${next}-01`]
}

/** Records on a month calendar by the layout's calendar field (a date or a datetime). */
export function CalendarView({ meta }: { meta: EntityMeta }) {
  const phone = Grid.useBreakpoint().md === false
  const today = new Date()
  const [month, setMonth] = useState(`${today.getFullYear()}-${pad(today.getMonth() + 1)}`)
  const field = meta.fields.find(
    (f) => f.name === meta.layout.calendar || f.name === `custom.${meta.layout.calendar}`,
  )
  const [from, to] = monthRange(month)
  const records = useQuery({
    queryKey: ['records', meta.key, 'calendar', month],
    queryFn: () =>
      api<RecordPage>(
        `${recordsPath(meta)}${query({
          filter: `${field?.name} >= ${literal(from)} and ${field?.name} < ${literal(to)}`,
          limit: 200,
        })}`,
      ),
    enabled: field !== undefined,
  })
  if (!field) return null
  const on = (day: string) =>
    (records.data?.data ?? []).filter((r) => String(fieldValue(r, field.name) ?? '').slice(0, 10) === day)
  return (
    <Spin spinning={records.isFetching}>
      <Calendar
        fullscreen={!phone}
        onPanelChange={(date) => setMonth(date.format('YYYY-MM'))}
        cellRender={(date, info) => {
          if (info.type !== 'date') return info.originNode
          return (
            <ul
              style={{ listStyle: 'none', margin: 0, padding: 0 }}
              data-testid={`calendar-${date.format('YYYY-MM-DD')}`}
            >
              {on(date.format('YYYY-MM-DD')).map((r) => (
                <li key={r.id}>
                  <Link to={`/e/${meta.key}/${r.id}`}>{displayOf(r, meta.display_field)}</Link>
                </li>
              ))}
            </ul>
          )
        }}
      />
    </Spin>
  )
}
