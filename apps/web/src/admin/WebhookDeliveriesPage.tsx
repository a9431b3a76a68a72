import { useQuery } from '@tanstack/react-query'
import { App, Button, Flex, Grid, List, Select, Spin, Table, Tag, Typography } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useParams } from 'react-router'
import { api, query } from '../api/client.ts'
import { holds, useMembership } from '../api/queries.ts'
import { ErrorPage } from '../app/ErrorPage.tsx'
import { changeError } from './errors.ts'
import type { Delivery, Webhook } from './types.ts'

const STATUSES: Delivery['status'][] = ['pending', 'retrying', 'succeeded', 'dead']

/** One webhook's delivery log, newest first: status, answer, duration; a delivery can be sent again. */
export function WebhookDeliveriesPage() {
  const { id = '' } = useParams()
  const { t } = useTranslation()
  const { message } = App.useApp()
  const membership = useMembership()
  const phone = Grid.useBreakpoint().md === false
  const [status, setStatus] = useState<Delivery['status'] | undefined>()
  // `before` of each page shown after the first: the log pages by delivery id
  const [pages, setPages] = useState<string[]>([])
  const before = pages.at(-1)
  const hook = useQuery({ queryKey: ['webhook', id], queryFn: () => api<Webhook>(`/webhooks/${id}`) })
  const log = useQuery({
    queryKey: ['webhook-deliveries', id, status, before],
    queryFn: () =>
      api<{ data: Delivery[]; next_before: string | null }>(
        `/webhooks/${id}/deliveries${query({ status, before })}`,
      ),
  })
  const replay = async (delivery: Delivery) => {
    try {
      await api(`/webhooks/${id}/deliveries/${delivery.id}/replay`, { method: 'POST' })
      void message.success(t('settings.replayed'))
      await log.refetch()
    } catch (err) {
      void message.error(changeError(t, err))
    }
  }

  // one definition of each piece of a delivery, for the table on a wide screen and the list on a phone
  const columns = {
    at: {
      title: t('settings.when'),
      render: (d: Delivery) => new Date(d.last_attempt_at ?? d.created_at).toLocaleString(),
    },
    event: { title: t('settings.event'), render: (d: Delivery) => <code>{d.event_type}</code> },
    status: {
      title: t('settings.status'),
      render: (d: Delivery) => (
        <Tag color={d.status === 'dead' ? 'error' : undefined} data-testid="delivery-status">
          {d.status}
          {d.http_status !== null && ` · HTTP ${d.http_status}`}
        </Tag>
      ),
    },
    duration: {
      title: t('settings.duration'),
      render: (d: Delivery) => (d.duration_ms === null ? '' : `${d.duration_ms} ms`),
    },
    attempts: { title: t('settings.attempts'), render: (d: Delivery) => d.attempts },
    answer: {
      title: t('settings.answer'),
      render: (d: Delivery) => (
        <Typography.Text
          code
          ellipsis={{ tooltip: d.response_excerpt ?? d.error }}
          style={{ maxWidth: 240 }}
          data-testid="delivery-answer"
        >
          {d.response_excerpt ?? d.error ?? ''}
        </Typography.Text>
      ),
    },
    replay: {
      title: t('settings.actions'),
      render: (d: Delivery) =>
        holds(membership.data, 'kernel.webhook:update') && (
          <Button size="small" onClick={() => void replay(d)} data-testid="delivery-replay">
            {t('settings.replay')}
          </Button>
        ),
    },
  }

  if (hook.isError) return <ErrorPage error={hook.error} />
  if (log.isError) return <ErrorPage error={log.error} />
  if (!hook.data) return <Spin />
  return (
    <Flex vertical gap="middle">
      <Link to="/settings/webhooks">← {t('settings.webhooksTitle')}</Link>
      <Typography.Title level={1} style={{ fontSize: 20, margin: 0, overflowWrap: 'anywhere' }}>
        {t('settings.deliveriesOf', { url: hook.data.url })}
      </Typography.Title>
      <Flex gap={8} wrap align="center">
        <Select
          allowClear
          aria-label={t('settings.status')}
          placeholder={t('settings.status')}
          value={status}
          onChange={(value) => {
            setStatus(value)
            setPages([])
          }}
          options={STATUSES.map((s) => ({ value: s, label: s }))}
          style={{ minWidth: 160 }}
        />
        <Button onClick={() => void log.refetch()} loading={log.isFetching} data-testid="deliveries-refresh">
          {t('settings.refresh')}
        </Button>
      </Flex>
      {phone ? (
        <List
          loading={log.isPending}
          dataSource={log.data?.data ?? []}
          locale={{
            emptyText: <Typography.Text type="secondary">{t('settings.noDeliveries')}</Typography.Text>,
          }}
          renderItem={(d) => (
            <List.Item>
              <Flex vertical gap={4} align="flex-start" style={{ width: '100%' }}>
                <Flex justify="space-between" gap={8} wrap style={{ width: '100%' }}>
                  {columns.event.render(d)}
                  {columns.status.render(d)}
                </Flex>
                <Typography.Text type="secondary">
                  {columns.at.render(d)} · {columns.duration.render(d)} · {t('settings.attempts')}{' '}
                  {d.attempts}
                </Typography.Text>
                {columns.answer.render(d)}
                {columns.replay.render(d)}
              </Flex>
            </List.Item>
          )}
        />
      ) : (
        <Table<Delivery>
          rowKey="id"
          size="small"
          loading={log.isPending}
          dataSource={log.data?.data ?? []}
          pagination={false}
          scroll={{ x: true }}
          locale={{
            emptyText: <Typography.Text type="secondary">{t('settings.noDeliveries')}</Typography.Text>,
          }}
          columns={Object.entries(columns).map(([key, c]) => ({
            key,
            title: c.title,
            render: (_: unknown, d: Delivery) => c.render(d),
          }))}
        />
      )}
      <Flex gap={8}>
        {pages.length > 0 && (
          <Button onClick={() => setPages((p) => p.slice(0, -1))}>{t('settings.newer')}</Button>
        )}
        {log.data?.next_before && (
          <Button onClick={() => setPages((p) => [...p, log.data.next_before as string])}>
            {t('settings.older')}
          </Button>
        )}
      </Flex>
    </Flex>
  )
}
