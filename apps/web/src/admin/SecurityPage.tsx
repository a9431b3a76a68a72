import { useQuery, useQueryClient } from '@tanstack/react-query'
import { Alert, App, Button, Card, Form, Image, Input, List, Space, Tag, Typography } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api } from '../api/client.ts'
import { applyErrors } from '../api/form-errors.ts'
import type { SessionInfo } from '../api/types.ts'
import { useSession } from '../auth/session.tsx'

interface MfaStatus {
  enabled: boolean
  required: boolean
  backup_codes_remaining: number
}
interface Enrollment {
  secret: string
  otpauth_uri: string
  qr_code: string
}

/** The member's own security: two-factor sign-in (enrolment with a QR code) and open sessions. */
export function SecurityPage() {
  const { t } = useTranslation()
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        {t('shell.security')}
      </Typography.Title>
      <MfaCard />
      <SessionsCard />
    </Space>
  )
}

function MfaCard() {
  const { t } = useTranslation()
  const client = useQueryClient()
  const [form] = Form.useForm()
  const status = useQuery({ queryKey: ['mfa'], queryFn: () => api<MfaStatus>('/auth/mfa') })
  const [enrollment, setEnrollment] = useState<Enrollment | null>(null)
  const [codes, setCodes] = useState<string[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const start = async () => {
    setError(null)
    try {
      setEnrollment(await api<Enrollment>('/auth/mfa/enrollment', { method: 'POST' }))
    } catch (err) {
      setError((err as Error).message)
    }
  }
  const confirm = async (values: { code: string }) => {
    setError(null)
    try {
      const result = await api<{ backup_codes: string[] }>('/auth/mfa/enrollment/confirm', {
        method: 'POST',
        body: values,
      })
      setCodes(result.backup_codes)
      setEnrollment(null)
      await client.invalidateQueries({ queryKey: ['mfa'] })
    } catch (err) {
      setError(applyErrors(form, err, ['code']))
    }
  }
  return (
    <Card title={t('admin.mfaTitle')} size="small">
      {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 12 }} />}
      {codes && (
        <Alert
          type="success"
          showIcon
          style={{ marginBottom: 12 }}
          title={t('admin.mfaBackup')}
          description={<pre data-testid="backup-codes">{codes.join('\n')}</pre>}
        />
      )}
      <Typography.Paragraph data-testid="mfa-status">
        {status.data?.enabled ? t('admin.mfaOn') : t('admin.mfaOff')}
      </Typography.Paragraph>
      {status.data && !status.data.enabled && !enrollment && (
        <Button onClick={() => void start()} data-testid="mfa-start">
          {t('admin.mfaStart')}
        </Button>
      )}
      {enrollment && (
        <Space orientation="vertical">
          <Typography.Paragraph>{t('admin.mfaScan')}</Typography.Paragraph>
          <Image src={enrollment.qr_code} alt="QR code" width={180} preview={false} />
          <Typography.Text>
            {t('admin.secret')}:{' '}
            <Typography.Text code copyable data-testid="mfa-secret">
              {enrollment.secret}
            </Typography.Text>
          </Typography.Text>
          <Form form={form} layout="inline" onFinish={confirm}>
            <Form.Item
              name="code"
              label={t('auth.mfaCode')}
              rules={[{ required: true, pattern: /^[0-9]{6}$/ }]}
            >
              <Input inputMode="numeric" maxLength={6} autoComplete="one-time-code" data-testid="mfa-code" />
            </Form.Item>
            <Button type="primary" htmlType="submit" data-testid="mfa-confirm">
              {t('admin.mfaConfirm')}
            </Button>
          </Form>
        </Space>
      )}
    </Card>
  )
}

function SessionsCard() {
  const { t } = useTranslation()
  const { message } = App.useApp()
  const { refresh } = useSession()
  const sessions = useQuery({
    queryKey: ['sessions'],
    queryFn: () => api<{ data: SessionInfo[] }>('/auth/sessions').then((r) => r.data),
  })
  const revoke = async (s: SessionInfo) => {
    try {
      await api(`/auth/sessions/${s.id}`, { method: 'DELETE' })
      if (s.current) await refresh()
      else await sessions.refetch()
    } catch (err) {
      void message.error((err as Error).message)
    }
  }
  return (
    <Card title={t('admin.sessionsTitle')} size="small">
      <List
        loading={sessions.isPending}
        dataSource={sessions.data ?? []}
        renderItem={(s) => (
          <List.Item
            actions={[
              <Button key="revoke" danger size="small" onClick={() => void revoke(s)}>
                {t('admin.revoke')}
              </Button>,
            ]}
          >
            <List.Item.Meta
              title={
                <>
                  {s.user_agent ?? '—'} {s.current && <Tag color="blue">{t('admin.current')}</Tag>}
                </>
              }
              description={`${s.ip ?? ''} · ${new Date(s.created_at).toLocaleString()}`}
            />
          </List.Item>
        )}
      />
    </Card>
  )
}
