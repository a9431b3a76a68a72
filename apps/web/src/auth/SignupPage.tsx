import { Alert, Button, Form, Input, Typography } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useNavigate } from 'react-router'
import { api } from '../api/client.ts'
import { applyErrors } from '../api/form-errors.ts'
import { AuthLayout } from './AuthLayout.tsx'
import { useSession } from './session.tsx'

interface SignupValues {
  name: string
  email: string
  password: string
  tenant_name: string
  currency: string
  country?: string
}

const FIELDS = ['name', 'email', 'password', 'tenant_name', 'currency', 'country']

/** A new tenant, its first company and its owner, signed in at once. */
export function SignupPage() {
  const { t, i18n } = useTranslation()
  const [form] = Form.useForm<SignupValues>()
  const navigate = useNavigate()
  const session = useSession()
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const submit = async ({ currency, country, ...values }: SignupValues) => {
    setBusy(true)
    setError(null)
    try {
      const timezone = Intl.DateTimeFormat().resolvedOptions().timeZone
      await api('/auth/signup', {
        method: 'POST',
        anonymous: true,
        body: {
          ...values,
          locale: i18n.language,
          timezone,
          company: {
            currency: currency.toUpperCase(),
            ...(country ? { country: country.toUpperCase() } : {}),
          },
        },
      })
      await session.refresh()
      navigate('/', { replace: true })
    } catch (err) {
      setError(
        applyErrors(form, err, FIELDS, { 'company.currency': 'currency', 'company.country': 'country' }),
      )
    } finally {
      setBusy(false)
    }
  }

  return (
    <AuthLayout title={t('auth.signupTitle')}>
      {error && <Alert type="error" title={error} showIcon style={{ marginBottom: 16 }} role="alert" />}
      <Form
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={{ currency: 'EUR' }}
        requiredMark={false}
      >
        <Form.Item name="name" label={t('auth.name')} rules={[{ required: true }]}>
          <Input autoComplete="name" autoFocus />
        </Form.Item>
        <Form.Item name="email" label={t('auth.email')} rules={[{ required: true, type: 'email' }]}>
          <Input autoComplete="email" />
        </Form.Item>
        <Form.Item name="password" label={t('auth.password')} rules={[{ required: true, min: 12 }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item name="tenant_name" label={t('auth.tenantName')} rules={[{ required: true }]}>
          <Input autoComplete="organization" />
        </Form.Item>
        <Form.Item
          name="currency"
          label={t('auth.currency')}
          rules={[{ required: true, pattern: /^[A-Za-z]{3}$/ }]}
        >
          <Input maxLength={3} />
        </Form.Item>
        <Form.Item name="country" label={t('auth.country')} rules={[{ pattern: /^[A-Za-z]{2}$/ }]}>
          <Input maxLength={2} autoComplete="country" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={busy}>
          {t('auth.signup')}
        </Button>
      </Form>
      <Typography.Paragraph style={{ marginTop: 16, marginBottom: 0 }}>
        <Link to="/login">{t('auth.haveAccount')}</Link>
      </Typography.Paragraph>
    </AuthLayout>
  )
}
