import { Alert, Button, Form, Input, Typography } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useLocation } from 'react-router'
import { api } from '../api/client.ts'
import { applyErrors } from '../api/form-errors.ts'
import { AuthLayout } from './AuthLayout.tsx'

/** Asks for a reset link; the answer is the same whether or not the address has an account. */
export function ResetRequestPage() {
  const { t } = useTranslation()
  const [form] = Form.useForm()
  const [sent, setSent] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const submit = async (values: { email: string }) => {
    setError(null)
    try {
      await api('/auth/password-reset', { method: 'POST', body: values, anonymous: true })
      setSent(true)
    } catch (err) {
      setError(applyErrors(form, err, ['email']))
    }
  }
  return (
    <AuthLayout title={t('auth.resetTitle')}>
      {sent && (
        <Alert
          type="success"
          title={t('auth.resetSent')}
          showIcon
          style={{ marginBottom: 16 }}
          role="status"
        />
      )}
      {error && <Alert type="error" title={error} showIcon style={{ marginBottom: 16 }} role="alert" />}
      <Form form={form} layout="vertical" onFinish={submit} requiredMark={false}>
        <Form.Item name="email" label={t('auth.email')} rules={[{ required: true, type: 'email' }]}>
          <Input autoComplete="email" autoFocus />
        </Form.Item>
        <Button type="primary" htmlType="submit" block>
          {t('auth.resetSend')}
        </Button>
      </Form>
      <Typography.Paragraph style={{ marginTop: 16, marginBottom: 0 }}>
        <Link to="/login">{t('auth.backToLogin')}</Link>
      </Typography.Paragraph>
    </AuthLayout>
  )
}

/** The mailed link: /reset-password#token=… (a fragment never reaches server logs or referrers). */
export function ResetConfirmPage() {
  const { t } = useTranslation()
  const [form] = Form.useForm()
  const { hash } = useLocation()
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('token')
  const [done, setDone] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const submit = async (values: { password: string }) => {
    setError(null)
    try {
      await api('/auth/password-reset/confirm', {
        method: 'POST',
        body: { token, ...values },
        anonymous: true,
      })
      setDone(true)
    } catch (err) {
      setError(applyErrors(form, err, ['password']))
    }
  }
  return (
    <AuthLayout title={t('auth.resetTitle')}>
      {!token && (
        <Alert type="error" title={t('auth.resetMissingToken')} showIcon style={{ marginBottom: 16 }} />
      )}
      {done && (
        <Alert
          type="success"
          title={t('auth.resetDone')}
          showIcon
          style={{ marginBottom: 16 }}
          role="status"
        />
      )}
      {error && <Alert type="error" title={error} showIcon style={{ marginBottom: 16 }} role="alert" />}
      {token && !done && (
        <Form form={form} layout="vertical" onFinish={submit} requiredMark={false}>
          <Form.Item name="password" label={t('auth.newPassword')} rules={[{ required: true, min: 12 }]}>
            <Input.Password autoComplete="new-password" autoFocus />
          </Form.Item>
          <Button type="primary" htmlType="submit" block>
            {t('auth.resetConfirm')}
          </Button>
        </Form>
      )}
      <Typography.Paragraph style={{ marginTop: 16, marginBottom: 0 }}>
        <Link to="/login">{t('auth.backToLogin')}</Link>
      </Typography.Paragraph>
    </AuthLayout>
  )
}
