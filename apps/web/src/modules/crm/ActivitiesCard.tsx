import { CheckOutlined } from '@ant-design/icons'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { Alert, App, Button, Card, Flex, Form, Input, List, Select, Space, Tag, Typography } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api, query } from '../../api/client.ts'
import { applyErrors } from '../../api/form-errors.ts'
import { useSession } from '../../auth/session.tsx'
import { ACTIVITY_TYPES, type Activity, literal, refreshCrm } from './api.ts'

interface LogValues {
  type: string
  subject: string
  due_date?: string
  note?: string
}

/**
 * The activities of a deal or of a customer (generic CRUD on crm.activity): open ones first, a
 * form to log a new one (assigned to the member by default) and a one-click "mark done".
 */
export function ActivitiesCard({
  opportunity,
  partner,
  deals = [],
}: {
  opportunity?: string
  partner?: string
  /** with `partner`: its deals, whose activities are the customer's too */
  deals?: readonly string[]
}) {
  const { t } = useTranslation()
  const { message } = App.useApp()
  const { me } = useSession()
  const client = useQueryClient()
  const [form] = Form.useForm<LogValues>()
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const filter = opportunity
    ? `opportunity = ${literal(opportunity)}`
    : [`partner = ${literal(partner ?? '')}`, ...deals.map((d) => `opportunity = ${literal(d)}`)].join(' or ')
  const activities = useQuery({
    queryKey: ['crm', 'activities', { opportunity, partner, deals }],
    queryFn: () =>
      api<{ data: Activity[] }>(`/crm-activities${query({ filter, sort: 'done,due_date', limit: 50 })}`).then(
        (r) => r.data,
      ),
  })

  const log = async (values: LogValues) => {
    setBusy(true)
    setError(null)
    try {
      await api('/crm-activities', {
        method: 'POST',
        body: {
          type: values.type,
          subject: values.subject,
          ...(values.note ? { note: values.note } : {}),
          ...(values.due_date ? { due_date: values.due_date } : {}),
          ...(me ? { assignee: me.user.id } : {}),
          ...(opportunity ? { opportunity } : {}),
          ...(partner ? { partner } : {}),
        },
      })
      form.resetFields()
      void message.success(t('crm.activities.logged'))
      await refreshCrm(client)
    } catch (err) {
      setError(applyErrors(form, err, ['type', 'subject', 'due_date', 'note']))
    } finally {
      setBusy(false)
    }
  }

  const markDone = async (activity: Activity) => {
    setError(null)
    try {
      await api(`/crm-activities/${activity.id}`, {
        method: 'PATCH',
        body: { done: true },
        headers: { 'if-match': `"${activity.version}"` },
      })
      await refreshCrm(client)
    } catch (err) {
      setError((err as Error).message)
    }
  }

  const types = ACTIVITY_TYPES.map((type) => ({ value: type, label: t(`crm.activities.types.${type}`) }))
  return (
    <Card title={t('crm.activities.title')} size="small" data-testid="crm-activities">
      {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 12 }} />}
      <List
        dataSource={activities.data ?? []}
        loading={activities.isPending}
        locale={{
          emptyText: <Typography.Text type="secondary">{t('crm.activities.empty')}</Typography.Text>,
        }}
        renderItem={(a) => (
          <List.Item
            data-testid="crm-activity"
            actions={
              a.done
                ? []
                : [
                    <Button
                      key="done"
                      size="small"
                      icon={<CheckOutlined />}
                      onClick={() => void markDone(a)}
                      aria-label={`${t('crm.activities.markDone')}: ${a.subject}`}
                    >
                      {t('crm.activities.markDone')}
                    </Button>,
                  ]
            }
          >
            <Space wrap size={4}>
              <Tag>{t(`crm.activities.types.${a.type}`, { defaultValue: a.type })}</Tag>
              <Typography.Text delete={a.done}>{a.subject}</Typography.Text>
              {a.due_date && <Typography.Text type="secondary">{a.due_date}</Typography.Text>}
              {a.done && <Tag icon={<CheckOutlined />}>{t('crm.activities.done')}</Tag>}
              {a.overdue && <Tag color="red">{t('crm.activities.overdue')}</Tag>}
            </Space>
          </List.Item>
        )}
      />
      <Form
        form={form}
        // a name of its own: the field ids must not clash with the deal form's on the same page
        name="crm-activity"
        layout="vertical"
        onFinish={log}
        initialValues={{ type: 'call' }}
        style={{ marginTop: 12 }}
        aria-label={t('crm.activities.log')}
      >
        <Flex gap={8} wrap>
          <Form.Item name="type" label={t('crm.activities.kind')} required style={{ minWidth: 120 }}>
            <Select options={types} data-testid="activity-type" />
          </Form.Item>
          <Form.Item
            name="subject"
            label={t('crm.activities.summary')}
            rules={[{ required: true }]}
            style={{ flex: '1 1 200px' }}
          >
            <Input data-testid="activity-subject" maxLength={200} />
          </Form.Item>
          <Form.Item name="due_date" label={t('crm.activities.due')}>
            <Input type="date" data-testid="activity-due" />
          </Form.Item>
        </Flex>
        <Form.Item name="note" label={t('crm.activities.note')}>
          <Input.TextArea rows={2} data-testid="activity-note" maxLength={20_000} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy} data-testid="activity-log">
          {t('crm.activities.log')}
        </Button>
      </Form>
    </Card>
  )
}
