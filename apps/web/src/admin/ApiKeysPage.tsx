import { useQuery } from '@tanstack/react-query'
import { Alert, App, Button, Card, Form, Input, Popconfirm, Select, Space, Table, Typography } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api } from '../api/client.ts'
import { applyErrors } from '../api/form-errors.ts'
import { useSession } from '../auth/session.tsx'

interface ApiKey {
  id: string
  name: string
  prefix: string
  roles: string[]
  expires_at: string | null
  last_used_at?: string | null
  created_at: string
}

/** Keys for integrations: created with a subset of my roles, shown once, revoked at once. */
export function ApiKeysPage() {
  const { t } = useTranslation()
  const { message } = App.useApp()
  const { me } = useSession()
  const [form] = Form.useForm<{ name: string; roles: string[] }>()
  const [error, setError] = useState<string | null>(null)
  const [created, setCreated] = useState<string | null>(null)
  const keys = useQuery({
    queryKey: ['api-keys'],
    queryFn: () => api<{ data: ApiKey[] }>('/api-keys').then((r) => r.data),
  })
  const create = async (values: { name: string; roles: string[] }) => {
    setError(null)
    try {
      const key = await api<{ key: string }>('/api-keys', { method: 'POST', body: values })
      setCreated(key.key)
      form.resetFields()
      await keys.refetch()
    } catch (err) {
      setError(applyErrors(form, err, ['name', 'roles']))
    }
  }
  const revoke = async (id: string) => {
    try {
      await api(`/api-keys/${id}`, { method: 'DELETE' })
      await keys.refetch()
    } catch (err) {
      void message.error((err as Error).message)
    }
  }
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        {t('admin.apiKeysTitle')}
      </Typography.Title>
      <Card size="small">
        {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 12 }} />}
        {created && (
          <Alert
            type="success"
            showIcon
            style={{ marginBottom: 12 }}
            title={t('admin.apiKeyOnce')}
            description={
              <Typography.Text code copyable data-testid="api-key-secret">
                {created}
              </Typography.Text>
            }
          />
        )}
        <Form form={form} layout="inline" onFinish={create} initialValues={{ roles: me?.roles ?? [] }}>
          <Form.Item name="name" label={t('admin.label')} rules={[{ required: true }]}>
            <Input data-testid="api-key-name" />
          </Form.Item>
          <Form.Item name="roles" label={t('admin.roles')} rules={[{ required: true }]}>
            <Select
              mode="multiple"
              options={(me?.roles ?? []).map((r) => ({ value: r, label: r }))}
              style={{ minWidth: 180 }}
            />
          </Form.Item>
          <Button type="primary" htmlType="submit" data-testid="api-key-create">
            {t('admin.createKey')}
          </Button>
        </Form>
      </Card>
      <Table<ApiKey>
        rowKey="id"
        size="small"
        loading={keys.isPending}
        dataSource={keys.data ?? []}
        pagination={false}
        scroll={{ x: true }}
        columns={[
          { key: 'name', title: t('admin.label'), dataIndex: 'name' },
          {
            key: 'prefix',
            title: t('admin.key'),
            render: (_: unknown, k: ApiKey) => <code>{k.prefix}…</code>,
          },
          { key: 'roles', title: t('admin.roles'), render: (_: unknown, k: ApiKey) => k.roles.join(', ') },
          {
            key: 'revoke',
            title: '',
            render: (_: unknown, k: ApiKey) => (
              <Popconfirm title={t('admin.revoke')} onConfirm={() => void revoke(k.id)}>
                <Button danger size="small">
                  {t('admin.revoke')}
                </Button>
              </Popconfirm>
            ),
          },
        ]}
      />
    </Space>
  )
}
