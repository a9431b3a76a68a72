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
  Radio,
  Select,
  Spin,
  Switch,
  Typography,
} from 'antd'
import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { ApiError, api } from '../api/client.ts'
import { holds, useMembership } from '../api/queries.ts'
import { ErrorPage } from '../app/ErrorPage.tsx'
import { changeError, clearErrors } from './errors.ts'
import { useRoles } from './queries.ts'

/** The tenant's OpenID Connect provider as the API shows it: never the secret, only that one is set. */
interface SsoProvider {
  issuer: string
  client_id: string
  client_secret_set: true
  allowed_domains: string[]
  default_role: string
  enabled: boolean
  redirect_uri: string
}

interface SsoValues {
  issuer: string
  client_id: string
  client_secret?: string
  allowed_domains: string[]
  default_role: string
  enabled: boolean
}

const SSO_FIELDS = ['issuer', 'client_id', 'client_secret', 'allowed_domains', 'default_role', 'enabled']
const MFA_POLICIES = ['optional', 'admins', 'everyone'] as const
type MfaPolicy = (typeof MFA_POLICIES)[number]

/** How members sign in: the tenant's single sign-on provider and its two-factor policy. */
export function SignInSettingsPage() {
  const { t } = useTranslation()
  const membership = useMembership()
  if (!membership.data) return <Spin />
  const sso = holds(membership.data, 'kernel.sso:manage')
  const mfa = holds(membership.data, 'kernel.mfa_policy:manage')
  if (!sso && !mfa) return <ErrorPage status={403} />
  return (
    <Flex vertical gap="middle">
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        {t('settings.signInTitle')}
      </Typography.Title>
      {sso && <SsoCard />}
      {mfa && <MfaPolicyCard />}
    </Flex>
  )
}

/** null: no provider is set up (the API's 404 sso_not_configured). */
const fetchProvider = () =>
  api<SsoProvider>('/auth/sso').catch((err: unknown) => {
    if (err instanceof ApiError && err.status === 404) return null
    throw err
  })

function SsoCard() {
  const { t } = useTranslation()
  const { message } = App.useApp()
  const client = useQueryClient()
  const membership = useMembership()
  const roles = useRoles(holds(membership.data, 'kernel.role:read'))
  const provider = useQuery({ queryKey: ['sso-provider'], queryFn: fetchProvider })
  const [form] = Form.useForm<SsoValues>()
  const [error, setError] = useState<string | null>(null)
  const [saving, setSaving] = useState(false)

  useEffect(() => {
    const p = provider.data
    form.setFieldsValue(
      p
        ? { ...p, client_secret: '' }
        : {
            issuer: '',
            client_id: '',
            client_secret: '',
            allowed_domains: [],
            default_role: 'user',
            enabled: true,
          },
    )
  }, [provider.data, form])

  if (provider.isError) return <Alert type="error" showIcon role="alert" title={provider.error.message} />
  if (provider.isPending) return <Spin />
  const current = provider.data
  // sign-in never makes an owner, so the API refuses it as the default role
  const roleOptions = (roles.data ?? [])
    .filter((r) => r.key !== 'owner')
    .map((r) => ({ value: r.key, label: r.name }))
  if (current && !roleOptions.some((o) => o.value === current.default_role))
    roleOptions.push({ value: current.default_role, label: current.default_role })

  const save = async ({ client_secret, ...values }: SsoValues) => {
    setError(null)
    clearErrors(form, SSO_FIELDS)
    setSaving(true)
    try {
      const saved = await api<SsoProvider>('/auth/sso', {
        method: 'PUT',
        // an empty secret keeps the stored one: it is write-only and never comes back
        body: { ...values, ...(client_secret ? { client_secret } : {}) },
      })
      client.setQueryData(['sso-provider'], saved)
      void message.success(t('form.saved'))
    } catch (err) {
      setError(changeError(t, err, form, SSO_FIELDS))
    } finally {
      setSaving(false)
    }
  }
  const remove = async () => {
    setError(null)
    try {
      await api('/auth/sso', { method: 'DELETE' })
      client.setQueryData(['sso-provider'], null)
      form.resetFields()
      void message.success(t('settings.ssoRemoved'))
    } catch (err) {
      setError(changeError(t, err))
    }
  }

  return (
    <Card size="small" title={t('settings.ssoTitle')}>
      <Typography.Paragraph type="secondary">{t('settings.ssoHelp')}</Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 12 }} />}
      {current && (
        <Typography.Paragraph>
          {t('settings.ssoRedirect')}{' '}
          <Typography.Text code copyable style={{ overflowWrap: 'anywhere' }} data-testid="sso-redirect">
            {current.redirect_uri}
          </Typography.Text>
        </Typography.Paragraph>
      )}
      <Form name="sso" form={form} layout="vertical" onFinish={save} style={{ maxWidth: 560 }}>
        <Form.Item
          name="issuer"
          label={t('settings.ssoIssuer')}
          rules={[{ required: true }]}
          extra={t('settings.ssoIssuerHelp')}
        >
          <Input type="url" autoComplete="off" placeholder="https://" data-testid="sso-issuer" />
        </Form.Item>
        <Form.Item name="client_id" label={t('settings.ssoClientId')} rules={[{ required: true }]}>
          <Input autoComplete="off" data-testid="sso-client-id" />
        </Form.Item>
        <Form.Item
          name="client_secret"
          label={t('settings.ssoClientSecret')}
          rules={current ? [] : [{ required: true }]}
          extra={current ? t('settings.ssoSecretSet') : undefined}
        >
          <Input.Password
            autoComplete="new-password"
            placeholder={current ? t('settings.ssoSecretKeep') : undefined}
            data-testid="sso-client-secret"
          />
        </Form.Item>
        <Form.Item
          name="allowed_domains"
          label={t('settings.ssoDomains')}
          rules={[{ required: true }]}
          extra={t('settings.ssoDomainsHelp')}
        >
          <Select
            mode="tags"
            open={false}
            suffixIcon={null}
            tokenSeparators={[',', ' ']}
            data-testid="sso-domains"
          />
        </Form.Item>
        <Form.Item
          name="default_role"
          label={t('settings.ssoDefaultRole')}
          extra={t('settings.ssoDefaultRoleHelp')}
        >
          <Select options={roleOptions} loading={roles.isLoading} data-testid="sso-default-role" />
        </Form.Item>
        <Form.Item name="enabled" label={t('settings.ssoEnabled')} valuePropName="checked">
          <Switch data-testid="sso-enabled" />
        </Form.Item>
        <Flex gap={8} wrap>
          <Button type="primary" htmlType="submit" loading={saving} data-testid="sso-save">
            {t('form.save')}
          </Button>
          {current && (
            <Popconfirm title={t('settings.ssoRemoveConfirm')} onConfirm={() => void remove()}>
              <Button danger data-testid="sso-remove">
                {t('settings.ssoRemove')}
              </Button>
            </Popconfirm>
          )}
        </Flex>
      </Form>
    </Card>
  )
}

function MfaPolicyCard() {
  const { t } = useTranslation()
  const { message } = App.useApp()
  const client = useQueryClient()
  const policy = useQuery({
    queryKey: ['mfa-policy'],
    queryFn: () => api<{ policy: MfaPolicy }>('/auth/mfa/policy').then((r) => r.policy),
  })
  const [error, setError] = useState<string | null>(null)
  const change = async (value: MfaPolicy) => {
    setError(null)
    try {
      const saved = await api<{ policy: MfaPolicy }>('/auth/mfa/policy', {
        method: 'PUT',
        body: { policy: value },
      })
      client.setQueryData(['mfa-policy'], saved.policy)
      void message.success(t('form.saved'))
    } catch (err) {
      setError(changeError(t, err))
    }
  }
  return (
    <Card size="small" title={t('settings.mfaPolicyTitle')}>
      {(error || policy.isError) && (
        <Alert
          type="error"
          showIcon
          role="alert"
          title={error ?? policy.error?.message}
          style={{ marginBottom: 12 }}
        />
      )}
      {policy.isPending ? (
        <Spin />
      ) : (
        <Radio.Group
          aria-label={t('settings.mfaPolicyTitle')}
          value={policy.data}
          onChange={(e) => void change(e.target.value as MfaPolicy)}
          data-testid="mfa-policy"
        >
          <Flex vertical gap={4}>
            {MFA_POLICIES.map((p) => (
              <Radio key={p} value={p}>
                {t(`settings.mfaPolicy_${p}`)}
              </Radio>
            ))}
          </Flex>
        </Radio.Group>
      )}
    </Card>
  )
}
