import { Alert, Button, Form, Input, Select, Space, Typography } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useNavigate, useSearchParams } from 'react-router'
import { api } from '../api/client.ts'
import { applyErrors } from '../api/form-errors.ts'
import { AuthLayout } from './AuthLayout.tsx'
import { useSession } from './session.tsx'

type Tenant = { id: string; slug: string; name: string }
type LoginAnswer =
  | { status: 'ok' }
  | { status: 'choose_tenant'; tenants: Tenant[] }
  | { status: 'mfa_required'; challenge_token: string }

/** Only paths inside the app: a crafted ?next= must not send the member to another site. */
export function safeNext(next: string | null): string {
  return next?.startsWith('/') && !next.startsWith('//') ? next : '/'
}

/**
 * Single sign-on starts at the organisation's provider (GET /auth/sso/{slug}/start redirects there);
 * the provider comes back to the server, which sets the session and opens the app.
 */
function SsoStart() {
  const { t } = useTranslation()
  const [open, setOpen] = useState(false)
  const [slug, setSlug] = useState('')
  if (!open)
    return (
      <Button block style={{ marginTop: 8 }} onClick={() => setOpen(true)}>
        {t('auth.sso')}
      </Button>
    )
  return (
    <Space.Compact style={{ width: '100%', marginTop: 8 }}>
      <Input
        aria-label={t('auth.ssoTenant')}
        placeholder={t('auth.ssoTenant')}
        value={slug}
        onChange={(e) => setSlug(e.target.value.trim().toLowerCase())}
        autoFocus
      />
      <Button
        type="primary"
        disabled={!/^[a-z0-9-]+$/.test(slug)}
        onClick={() => window.location.assign(`/api/v1/auth/sso/${encodeURIComponent(slug)}/start`)}
      >
        {t('auth.ssoGo')}
      </Button>
    </Space.Compact>
  )
}

/** Email and password, then (when asked) the organisation and the second factor. */
export function LoginPage() {
  const { t } = useTranslation()
  const [form] = Form.useForm()
  const [mfaForm] = Form.useForm()
  const navigate = useNavigate()
  const [params] = useSearchParams()
  const session = useSession()
  const [tenants, setTenants] = useState<Tenant[] | null>(null)
  const [challenge, setChallenge] = useState<string | null>(null)
  const [backup, setBackup] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const finish = async () => {
    await session.refresh()
    navigate(safeNext(params.get('next')), { replace: true })
  }

  const submit = async (values: { email: string; password: string; tenant?: string }) => {
    setBusy(true)
    setError(null)
    try {
      const answer = await api<LoginAnswer>('/auth/login', { method: 'POST', body: values, anonymous: true })
      if (answer.status === 'choose_tenant') setTenants(answer.tenants)
      else if (answer.status === 'mfa_required') setChallenge(answer.challenge_token)
      else await finish()
    } catch (err) {
      setError(applyErrors(form, err, ['email', 'password', 'tenant']))
    } finally {
      setBusy(false)
    }
  }

  const submitMfa = async (values: { code?: string; backup_code?: string }) => {
    setBusy(true)
    setError(null)
    try {
      const body = backup ? { backup_code: values.backup_code } : { code: values.code }
      await api('/auth/login/mfa', {
        method: 'POST',
        body: { challenge_token: challenge, ...body },
        anonymous: true,
      })
      await finish()
    } catch (err) {
      setError(applyErrors(mfaForm, err, ['code', 'backup_code']))
    } finally {
      setBusy(false)
    }
  }

  if (challenge) {
    return (
      <AuthLayout title={t('auth.mfaTitle')}>
        <Typography.Paragraph>{t('auth.mfaHelp')}</Typography.Paragraph>
        {error && <Alert type="error" title={error} showIcon style={{ marginBottom: 16 }} role="alert" />}
        <Form form={mfaForm} layout="vertical" onFinish={submitMfa} requiredMark={false}>
          {backup ? (
            <Form.Item name="backup_code" label={t('auth.backupCode')} rules={[{ required: true }]}>
              <Input autoComplete="one-time-code" autoFocus />
            </Form.Item>
          ) : (
            <Form.Item
              name="code"
              label={t('auth.mfaCode')}
              rules={[{ required: true, pattern: /^[0-9]{6}$/ }]}
            >
              <Input inputMode="numeric" autoComplete="one-time-code" maxLength={6} autoFocus />
            </Form.Item>
          )}
          <Button type="primary" htmlType="submit" block loading={busy}>
            {t('auth.verify')}
          </Button>
          <Button type="link" onClick={() => setBackup((b) => !b)} style={{ paddingLeft: 0 }}>
            {backup ? t('auth.mfaCode') : t('auth.useBackup')}
          </Button>
        </Form>
      </AuthLayout>
    )
  }

  return (
    <AuthLayout title={t('auth.loginTitle')}>
      {session.lost && (
        <Alert type="warning" title={t('auth.sessionLost')} showIcon style={{ marginBottom: 16 }} />
      )}
      {error && <Alert type="error" title={error} showIcon style={{ marginBottom: 16 }} role="alert" />}
      <Form form={form} layout="vertical" onFinish={submit} requiredMark={false}>
        <Form.Item name="email" label={t('auth.email')} rules={[{ required: true, type: 'email' }]}>
          <Input autoComplete="username" autoFocus />
        </Form.Item>
        <Form.Item name="password" label={t('auth.password')} rules={[{ required: true }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        {tenants && (
          <Form.Item
            name="tenant"
            label={t('auth.tenant')}
            extra={t('auth.chooseTenant')}
            rules={[{ required: true }]}
          >
            <Select options={tenants.map((x) => ({ value: x.slug, label: x.name }))} />
          </Form.Item>
        )}
        <Button type="primary" htmlType="submit" block loading={busy}>
          {t('auth.login')}
        </Button>
      </Form>
      <SsoStart />
      <Typography.Paragraph style={{ marginTop: 16, marginBottom: 0 }}>
        <Link to="/forgot-password">{t('auth.forgot')}</Link>
        <br />
        <Link to="/signup">{t('auth.noAccount')}</Link>
      </Typography.Paragraph>
    </AuthLayout>
  )
}
