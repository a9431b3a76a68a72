import { SwapOutlined } from '@ant-design/icons'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { Alert, App, Badge, Button, Card, Dropdown, Flex, Spin, Typography, theme } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { api, query } from '../api/client.ts'
import { recordsPath, useEntities } from '../api/queries.ts'
import type { EntityMeta, EntityRecord, RecordPage } from '../api/types.ts'
import { useMemberNames } from './member-names.ts'
import { customKey, displayOf, fieldValue, formatValue, idOf } from './values.ts'

const NONE = '__none__'
type Column = { key: string; label: string }

/**
 * Records grouped by the layout's kanban field (a state, a select or a reference). Dropping a card
 * on another column runs the workflow action between the two states, or updates the field.
 */
export function KanbanView({ meta }: { meta: EntityMeta }) {
  const { t } = useTranslation()
  const { message } = App.useApp()
  const client = useQueryClient()
  const { token } = theme.useToken()
  const entities = useEntities()
  const nameOf = useMemberNames()
  const [over, setOver] = useState<string | null>(null)
  const groupName = meta.layout.kanban as string
  const field = meta.fields.find((f) => f.name === groupName || f.name === `custom.${groupName}`)
  const byState = !field && meta.states.length > 0
  const path = recordsPath(meta)
  const target = field?.type === 'reference' ? entities.data?.find((e) => e.key === field.target) : undefined

  const records = useQuery({
    queryKey: ['records', meta.key, 'kanban'],
    queryFn: () => api<RecordPage>(`${path}${query({ limit: 200, sort: meta.default_sort ?? undefined })}`),
  })
  const targets = useQuery({
    queryKey: ['records', field?.target, 'kanban-columns'],
    queryFn: () => api<RecordPage>(`${recordsPath(target as { path: string })}${query({ limit: 50 })}`),
    enabled: target !== undefined,
  })

  let columns: Column[] = []
  if (byState) columns = meta.states.map((s) => ({ key: s.key, label: s.label }))
  else if (field?.type === 'select') columns = (field.options ?? []).map((o) => ({ key: o, label: o }))
  else if (field?.type === 'reference')
    columns = (targets.data?.data ?? []).map((r) => ({ key: r.id, label: displayOf(r) }))
  if (!byState) columns = [...columns, { key: NONE, label: t('list.noValue') }]

  const groupOf = (r: EntityRecord): string => {
    const value = byState ? r.state : idOf(fieldValue(r, field?.name ?? groupName))
    return typeof value === 'string' && value !== '' ? value : NONE
  }

  const move = async (record: EntityRecord, to: string) => {
    const from = groupOf(record)
    if (from === to) return
    try {
      if (byState) {
        const action = meta.actions.find((a) => a.from.includes(from) && a.to === to)
        if (!action?.allowed) {
          void message.error(`${from} → ${to}: ${t('errors.forbidden')}`)
          return
        }
        await api(`${path}/${record.id}/actions/${action.name}`, {
          method: 'POST',
          headers: { 'if-match': `"${record.version}"` },
        })
      } else if (field) {
        const value = to === NONE ? null : to
        const key = customKey(field.name)
        await api(`${path}/${record.id}`, {
          method: 'PATCH',
          body: key === null ? { [field.name]: value } : { custom: { [key]: value } },
          headers: { 'if-match': `"${record.version}"` },
        })
      }
    } catch (err) {
      void message.error((err as Error).message)
    }
    await client.invalidateQueries({ queryKey: ['records', meta.key] })
  }

  if (!field && !byState) return <Alert type="warning" title={groupName} />
  if (records.isPending || (target && targets.isPending)) return <Spin />
  const all = records.data?.data ?? []
  const others = meta.fields
    .filter((f) => f.name !== meta.display_field && f.name !== field?.name)
    .slice(0, 2)

  return (
    <Flex gap={12} style={{ overflowX: 'auto', paddingBottom: 8 }} data-testid="kanban">
      {columns.map((column) => {
        const cards = all.filter((r) => groupOf(r) === column.key)
        return (
          <section
            key={column.key}
            aria-label={column.label}
            data-testid={`kanban-column-${column.key}`}
            onDragOver={(e) => {
              e.preventDefault()
              setOver(column.key)
            }}
            onDragLeave={() => setOver(null)}
            onDrop={(e) => {
              e.preventDefault()
              setOver(null)
              const record = all.find((r) => r.id === e.dataTransfer.getData('text/plain'))
              if (record) void move(record, column.key)
            }}
            style={{
              flex: '0 0 260px',
              background: over === column.key ? token.colorPrimaryBg : token.colorFillQuaternary,
              borderRadius: token.borderRadiusLG,
              padding: 8,
              minHeight: 200,
            }}
          >
            <Flex justify="space-between" style={{ padding: '4px 4px 8px' }}>
              <Typography.Text strong>{column.label}</Typography.Text>
              <Badge count={cards.length} showZero color={token.colorTextTertiary} />
            </Flex>
            {cards.map((r) => (
              <Card
                key={r.id}
                size="small"
                draggable
                onDragStart={(e) => {
                  e.dataTransfer.setData('text/plain', r.id)
                  e.dataTransfer.effectAllowed = 'move'
                }}
                style={{ marginBottom: 8, cursor: 'grab' }}
                data-testid="kanban-card"
                data-record={r.id}
              >
                <Flex justify="space-between" align="flex-start" gap={4}>
                  <div style={{ minWidth: 0 }}>
                    <Link to={`/e/${meta.key}/${r.id}`}>{displayOf(r, meta.display_field)}</Link>
                    {others.map((f) => {
                      const text = formatValue(f, fieldValue(r, f.name), t('form.yes'), t('form.no'), nameOf)
                      return text ? (
                        <Typography.Text key={f.name} type="secondary" style={{ display: 'block' }}>
                          {text}
                        </Typography.Text>
                      ) : null
                    })}
                  </div>
                  <Dropdown
                    trigger={['click']}
                    menu={{
                      items: columns
                        .filter((c) => c.key !== column.key)
                        .map((c) => ({ key: c.key, label: c.label })),
                      onClick: ({ key }) => void move(r, key),
                    }}
                  >
                    <Button
                      type="text"
                      size="small"
                      icon={<SwapOutlined />}
                      aria-label={`${displayOf(r, meta.display_field)}: ${t('form.state')}`}
                    />
                  </Dropdown>
                </Flex>
              </Card>
            ))}
          </section>
        )
      })}
    </Flex>
  )
}
