import { SearchOutlined } from '@ant-design/icons'
import { useQuery } from '@tanstack/react-query'
import { AutoComplete, Input } from 'antd'
import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useNavigate } from 'react-router'
import { api, query } from '../api/client.ts'

interface Hit {
  entity: string
  entity_label: string
  id: string
  title: string | null
  snippet: string | null
}

/** One box over every entity the member may read (GET /search); choosing a hit opens its record. */
export function SearchBox() {
  const { t } = useTranslation()
  const navigate = useNavigate()
  const [typed, setTyped] = useState('')
  const [q, setQ] = useState('')
  useEffect(() => {
    const timer = setTimeout(() => setQ(typed.trim()), 250)
    return () => clearTimeout(timer)
  }, [typed])
  const hits = useQuery({
    queryKey: ['search', q],
    queryFn: () => api<{ data: Hit[] }>(`/search${query({ q, limit: 10 })}`).then((r) => r.data),
    enabled: q.length >= 2,
  })
  return (
    <AutoComplete
      value={typed}
      onChange={setTyped}
      onSelect={(value: string) => {
        setTyped('')
        navigate(value)
      }}
      options={(q.length >= 2 ? (hits.data ?? []) : []).map((h) => ({
        value: `/e/${h.entity}/${h.id}`,
        label: `${h.title ?? h.snippet ?? h.id} — ${h.entity_label}`,
      }))}
      // the select around a custom input inherits the header's 64px line height and stretches the
      // input to it; its own keeps it as tall as the header's other controls
      style={{ width: 260, lineHeight: 'normal' }}
    >
      <Input
        prefix={<SearchOutlined />}
        placeholder={t('list.search')}
        aria-label={t('list.search')}
        data-testid="global-search"
      />
    </AutoComplete>
  )
}
