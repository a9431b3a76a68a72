import { useQuery } from '@tanstack/react-query'
import { Select } from 'antd'
import { useEffect, useState } from 'react'
import { api, query } from '../api/client.ts'
import { recordsPath, useEntities } from '../api/queries.ts'
import type { RecordPage } from '../api/types.ts'
import { displayOf } from './values.ts'

interface Props {
  id?: string
  target: string
  value?: string | string[] | null
  onChange?: (value: string | string[] | null) => void
  multiple?: boolean
  disabled?: boolean
  placeholder?: string
  'aria-label'?: string
}

/** Picks records of another entity, searching the target's quick search (`?q=`) as the member types. */
export function ReferenceSelect({ target, value, onChange, multiple, ...rest }: Props) {
  const entities = useEntities()
  const entity = entities.data?.find((e) => e.key === target)
  const [search, setSearch] = useState('')
  const [typed, setTyped] = useState('')
  useEffect(() => {
    const timer = setTimeout(() => setSearch(typed), 250)
    return () => clearTimeout(timer)
  }, [typed])
  const ids = (Array.isArray(value) ? value : value ? [value] : []).filter(Boolean)
  const options = useQuery({
    queryKey: ['reference-options', target, search],
    queryFn: () =>
      api<RecordPage>(`${recordsPath(entity as { path: string })}${query({ q: search, limit: 20 })}`),
    enabled: entity !== undefined,
  })
  // the chosen records, so their names show even when the search does not list them
  const chosen = useQuery({
    queryKey: ['reference-chosen', target, ids],
    queryFn: () =>
      api<RecordPage>(
        `${recordsPath(entity as { path: string })}${query({
          filter: `id in (${ids.map((id) => `'${id.replaceAll("'", "''")}'`).join(', ')})`,
          limit: ids.length,
        })}`,
      ),
    enabled: entity !== undefined && ids.length > 0,
  })
  const records = new Map([...(chosen.data?.data ?? []), ...(options.data?.data ?? [])].map((r) => [r.id, r]))
  return (
    <Select
      {...rest}
      showSearch={{ filterOption: false, onSearch: setTyped }}
      allowClear
      mode={multiple ? 'multiple' : undefined}
      loading={options.isFetching}
      value={multiple ? ids : (ids[0] ?? null)}
      onChange={(v) => onChange?.(v ?? null)}
      options={[...records.values()].map((r) => ({ value: r.id, label: displayOf(r) }))}
    />
  )
}
