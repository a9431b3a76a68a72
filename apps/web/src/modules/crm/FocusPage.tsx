import { useQuery, useQueryClient } from '@tanstack/react-query'
import { Alert, App, Button, Card, Empty, Flex, Space, Spin, Tag, Typography } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { api } from '../../api/client.ts'
import { ErrorPage } from '../../app/ErrorPage.tsx'
import { type Focus, type Mission, refreshCrm } from './api.ts'

const keyOf = (mission: Mission) => `${mission.kind}:${mission.record.id}`

/**
 * The CRM's start page: the member's missions for today, ranked, each with why it is there, a
 * link to its record and a one-click action (the request the server prepared); a mission done
 * leaves the list as the server recomputes it.
 */
export function FocusPage() {
  const { t, i18n } = useTranslation()
  const { message } = App.useApp()
  const client = useQueryClient()
  const [busy, setBusy] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const focus = useQuery({ queryKey: ['crm', 'focus'], queryFn: () => api<Focus>('/crm/focus') })

  const act = async (mission: Mission) => {
    setBusy(keyOf(mission))
    setError(null)
    try {
      // the server's href is absolute (/api/v1/...); the client adds the prefix itself
      await api(mission.action.href.replace(/^\/api\/v1/, ''), {
        method: mission.action.method,
        body: mission.action.body,
      })
      void message.success(t('crm.focus.done', { action: mission.action.label }))
      await refreshCrm(client)
    } catch (err) {
      setError(`${mission.title}: ${(err as Error).message}`)
    } finally {
      setBusy(null)
    }
  }

  if (focus.error) return <ErrorPage error={focus.error} />
  const missions = focus.data?.missions ?? []
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <div>
        <Typography.Title level={1} style={{ margin: 0, fontSize: 24 }}>
          {t('crm.focus.title')}
        </Typography.Title>
        <Typography.Text type="secondary">
          {focus.data &&
            `${new Date(`${focus.data.date}T12:00:00`).toLocaleDateString(i18n.language, { dateStyle: 'full' })} · `}
          {t('crm.focus.subtitle')}
        </Typography.Text>
      </div>
      {error && <Alert type="error" showIcon title={error} role="alert" data-testid="focus-error" />}
      {!focus.data && <Spin />}
      {focus.data && missions.length === 0 && <Empty description={t('crm.focus.empty')} />}
      <ol style={{ listStyle: 'none', margin: 0, padding: 0 }} aria-label={t('crm.focus.title')}>
        {missions.map((mission, index) => (
          <li key={keyOf(mission)} style={{ marginBottom: 12 }}>
            <Card size="small" data-testid="focus-mission">
              <Flex justify="space-between" align="center" gap={12} wrap>
                <div style={{ flex: '1 1 260px', minWidth: 0 }}>
                  <Space size={8} align="baseline">
                    <Tag color="blue" aria-label={t('crm.focus.rank', { rank: index + 1 })}>
                      {index + 1}
                    </Tag>
                    <Typography.Title level={2} style={{ margin: 0, fontSize: 16 }}>
                      {mission.title}
                    </Typography.Title>
                  </Space>
                  <Typography.Paragraph type="secondary" style={{ margin: '4px 0' }} data-testid="focus-why">
                    {mission.why}
                  </Typography.Paragraph>
                  <Link to={`/e/${mission.record.entity}/${mission.record.id}`} data-testid="focus-record">
                    {mission.record.name}
                  </Link>
                </div>
                <Button
                  type="primary"
                  loading={busy === keyOf(mission)}
                  onClick={() => void act(mission)}
                  data-testid="focus-action"
                >
                  {mission.action.label}
                </Button>
              </Flex>
            </Card>
          </li>
        ))}
      </ol>
    </Space>
  )
}
