import { useQuery, useQueryClient } from '@tanstack/react-query'
import { Alert, App, Button, Card, Form, InputNumber, Space, Spin, Typography } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api } from '../../api/client.ts'
import { applyErrors } from '../../api/form-errors.ts'
import { holds, useMembership } from '../../api/queries.ts'
import { ErrorPage } from '../../app/ErrorPage.tsx'
import { refreshCrm } from './api.ts'

type Weights = Record<string, number>

/**
 * /crm/settings: how much each signal counts in the deal confidence. The server knows the ranges
 * (a penalty stays a penalty) and names each weight out of range; saving recomputes the scores.
 */
export function WeightsPage() {
  const { t } = useTranslation()
  const { message } = App.useApp()
  const client = useQueryClient()
  const membership = useMembership()
  const [form] = Form.useForm<Weights>()
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const weights = useQuery({
    queryKey: ['crm', 'weights'],
    queryFn: () => api<Weights>('/crm/confidence-weights'),
  })
  if (weights.error) return <ErrorPage error={weights.error} />
  if (!weights.data) return <Spin />
  const names = Object.keys(weights.data)
  const canManage = holds(membership.data, 'crm.settings:manage')

  const save = async (values: Weights) => {
    setBusy(true)
    setError(null)
    try {
      const saved = await api<Weights>('/crm/confidence-weights', { method: 'PUT', body: values })
      client.setQueryData(['crm', 'weights'], saved)
      void message.success(t('crm.weights.saved'))
      await refreshCrm(client)
    } catch (err) {
      setError(applyErrors(form, err, names))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%', maxWidth: 720 }}>
      <div>
        <Typography.Title level={1} style={{ margin: 0, fontSize: 24 }}>
          {t('crm.weights.title')}
        </Typography.Title>
        <Typography.Text type="secondary">{t('crm.weights.subtitle')}</Typography.Text>
      </div>
      {error && <Alert type="error" showIcon title={error} role="alert" />}
      <Card size="small">
        <Form
          form={form}
          layout="vertical"
          initialValues={weights.data}
          onFinish={save}
          disabled={!canManage}
        >
          {names.map((name) => (
            <Form.Item key={name} name={name} label={t(`crm.weights.${name}`, { defaultValue: name })}>
              <InputNumber precision={0} style={{ width: 160 }} />
            </Form.Item>
          ))}
          {canManage && (
            <Button type="primary" htmlType="submit" loading={busy} data-testid="weights-save">
              {t('form.save')}
            </Button>
          )}
        </Form>
      </Card>
    </Space>
  )
}
