import { useQuery, useQueryClient } from '@tanstack/react-query'
import {
  Alert,
  App,
  Button,
  Card,
  Flex,
  Form,
  Input,
  Popconfirm,
  Select,
  Switch,
  Table,
  Tag,
  Typography,
} from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { api } from '../api/client.ts'
import { holds, useEntities, useMembership } from '../api/queries.ts'
import type { EntitySummary } from '../api/types.ts'
import { ErrorPage } from '../app/ErrorPage.tsx'
import { changeError, clearErrors } from './errors.ts'
import type { Webhook } from './types.ts'

interface Values {
  url: string
  events: string[]
  description?: string
}

/**
 * Event types to offer: every entity's record events and patterns. The API has no list of event
 * types (workflow actions add their own, e.g. `sales.order.confirmed`), so others may be typed in.
 */
function eventSuggestions(entities: readonly EntitySummary[]): string[] {
  const modules = [...new Set(entities.map((e) => e.key.split('.')[0] ?? e.key))]
  return [
    '*',
    ...modules.map((m) => `${m}.*`),
    ...entities.flatMap((e) => [`${e.key}.*`, `${e.key}.created`, `${e.key}.updated`, `${e.key}.deleted`]),
  ]
}

export const useWebhooks = () =>
  useQuery({
    queryKey: ['webhooks'],
    queryFn: () => api<{ data: Webhook[] }>('/webhooks').then((r) => r.data),
  })

/** Webhooks: subscribe a URL to event types (the signing secret is shown once), pause, delete. */
export function WebhooksPage() {
  const { t } = useTranslation()
  const { message } = App.useApp()
  const client = useQueryClient()
  const membership = useMembership()
  const entities = useEntities()
  const hooks = useWebhooks()
  const [form] = Form.useForm<Values>()
  const [error, setError] = useState<string | null>(null)
  const [secret, setSecret] = useState<string | null>(null)
  const can = (action: string) => holds(membership.data, `kernel.webhook:${action}`)

  const create = async ({ description, ...values }: Values) => {
    setError(null)
    clearErrors(form, ['url', 'events', 'description'])
    setSecret(null)
    try {
      const created = await api<Webhook & { secret: string }>('/webhooks', {
        method: 'POST',
        body: { ...values, ...(description ? { description } : {}) },
      })
      setSecret(created.secret)
      form.resetFields()
      await client.invalidateQueries({ queryKey: ['webhooks'] })
    } catch (err) {
      setError(changeError(t, err, form, ['url', 'events', 'description']))
    }
  }
  const setActive = async (hook: Webhook, active: boolean) => {
    try {
      await api(`/webhooks/${hook.id}`, {
        method: 'PATCH',
        body: { active },
        headers: { 'if-match': `"${hook.version}"` },
      })
    } catch (err) {
      void message.error(changeError(t, err))
    }
    await client.invalidateQueries({ queryKey: ['webhooks'] })
  }
  const remove = async (hook: Webhook) => {
    try {
      await api(`/webhooks/${hook.id}`, { method: 'DELETE' })
      await client.invalidateQueries({ queryKey: ['webhooks'] })
    } catch (err) {
      void message.error(changeError(t, err))
    }
  }

  if (hooks.isError) return <ErrorPage error={hooks.error} />
  return (
    <Flex vertical gap="middle">
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        {t('settings.webhooksTitle')}
      </Typography.Title>
      {can('create') && (
        <Card size="small" title={t('settings.newWebhook')}>
          {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 12 }} />}
          {secret && (
            <Alert
              type="success"
              showIcon
              style={{ marginBottom: 12 }}
              title={t('settings.secretOnce')}
              description={
                <Typography.Text code copyable data-testid="webhook-secret">
                  {secret}
                </Typography.Text>
              }
            />
          )}
          <Form name="webhook" form={form} layout="vertical" onFinish={create}>
            <Form.Item
              name="url"
              label={t('settings.url')}
              rules={[{ required: true }]}
              extra={t('settings.urlHelp')}
            >
              <Input type="url" autoComplete="off" placeholder="https://" data-testid="webhook-url" />
            </Form.Item>
            <Form.Item
              name="events"
              label={t('settings.events')}
              rules={[{ required: true }]}
              extra={t('settings.eventsHelp')}
            >
              <Select
                mode="tags"
                tokenSeparators={[',', ' ']}
                options={eventSuggestions(entities.data ?? []).map((e) => ({ value: e, label: e }))}
                data-testid="webhook-events"
              />
            </Form.Item>
            <Form.Item name="description" label={t('settings.description')}>
              <Input autoComplete="off" />
            </Form.Item>
            <Button type="primary" htmlType="submit" data-testid="webhook-create">
              {t('settings.subscribe')}
            </Button>
          </Form>
        </Card>
      )}
      <Table<Webhook>
        rowKey="id"
        size="small"
        loading={hooks.isPending}
        dataSource={hooks.data ?? []}
        pagination={false}
        scroll={{ x: true }}
        columns={[
          {
            key: 'url',
            title: t('settings.url'),
            render: (_: unknown, h: Webhook) => (
              <Flex vertical>
                <Link to={`/settings/webhooks/${h.id}`}>{h.url}</Link>
                {h.description && <Typography.Text type="secondary">{h.description}</Typography.Text>}
              </Flex>
            ),
          },
          {
            key: 'events',
            title: t('settings.events'),
            render: (_: unknown, h: Webhook) => h.events.map((e) => <Tag key={e}>{e}</Tag>),
          },
          {
            key: 'active',
            title: t('admin.active'),
            render: (_: unknown, h: Webhook) => (
              <Switch
                checked={h.active}
                disabled={!can('update')}
                onChange={(on) => void setActive(h, on)}
                aria-label={t('settings.webhookActive', { url: h.url })}
              />
            ),
          },
          {
            key: 'actions',
            title: t('settings.actions'),
            render: (_: unknown, h: Webhook) => (
              <Flex gap={4} wrap>
                <Link to={`/settings/webhooks/${h.id}`}>{t('settings.deliveries')}</Link>
                {can('delete') && (
                  <Popconfirm title={t('settings.deleteWebhookConfirm')} onConfirm={() => void remove(h)}>
                    <Button size="small" danger aria-label={t('settings.deleteWebhook', { url: h.url })}>
                      {t('settings.delete')}
                    </Button>
                  </Popconfirm>
                )}
              </Flex>
            ),
          },
        ]}
      />
    </Flex>
  )
}
