import { useQuery, useQueryClient } from '@tanstack/react-query'
import {
  Alert,
  App,
  Button,
  Card,
  ColorPicker,
  Flex,
  Form,
  type FormInstance,
  Input,
  Spin,
  Typography,
} from 'antd'
import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api } from '../api/client.ts'
import { holds, useCompanies, useMembership } from '../api/queries.ts'
import type { Company } from '../api/types.ts'
import { ErrorPage } from '../app/ErrorPage.tsx'
import { changeError, clearErrors } from './errors.ts'
import type { CompanyDetail } from './types.ts'

interface Values {
  name: string
  country: string
  timezone: string
  logo_url: string
  primary_color: string
}

const FIELDS = ['name', 'country', 'timezone', 'logo_url', 'primary_color']

/** The form's values from the company as read. */
function fill(form: FormInstance<Values>, c: CompanyDetail) {
  form.setFieldsValue({
    name: c.name,
    country: c.country ?? '',
    timezone: c.timezone,
    logo_url: c.logo_url ?? '',
    primary_color: c.primary_color ?? '',
  })
}

/** A hex colour as typed or picked; the API takes `#rrggbb` in lower case. */
function ColourField({
  id,
  value,
  onChange,
  pickerLabel,
}: {
  id?: string
  value?: string
  onChange?: (value: string) => void
  pickerLabel: string
}) {
  return (
    <Flex gap={8} align="center">
      <ColorPicker
        value={value || '#1d5fc9'}
        disabledAlpha
        onChangeComplete={(colour) => onChange?.(colour.toHexString().toLowerCase())}
      >
        <Button aria-label={pickerLabel} style={{ width: 40, padding: 0, background: value || undefined }} />
      </ColorPicker>
      <Input
        id={id}
        value={value}
        onChange={(e) => onChange?.(e.target.value.trim().toLowerCase())}
        placeholder="#1d5fc9"
        maxLength={7}
        style={{ maxWidth: 140 }}
        data-testid="company-colour"
      />
    </Flex>
  )
}

/**
 * The current company's settings and branding. The logo and primary colour are the shell's:
 * once saved, the companies query is refreshed and the theme follows at once.
 */
export function CompanyPage() {
  const { t } = useTranslation()
  const { message } = App.useApp()
  const client = useQueryClient()
  const membership = useMembership()
  const companies = useCompanies()
  const currentId = companies.data?.find((c) => c.current)?.id ?? companies.data?.[0]?.id
  const company = useQuery({
    queryKey: ['company', currentId],
    queryFn: () => api<CompanyDetail>(`/companies/${currentId}`),
    enabled: currentId !== undefined,
  })
  const [form] = Form.useForm<Values>()
  const [error, setError] = useState<string | null>(null)
  const [conflict, setConflict] = useState(false)
  const logo = Form.useWatch('logo_url', form)
  const canUpdate = holds(membership.data, 'kernel.company:update')

  useEffect(() => {
    if (company.data) fill(form, company.data)
  }, [company.data, form])

  if (companies.isError) return <ErrorPage error={companies.error} />
  if (company.isError) return <ErrorPage error={company.error} />
  if (!company.data) return <Spin />
  const current = company.data

  const save = async (values: Values) => {
    setError(null)
    clearErrors(form, FIELDS)
    setConflict(false)
    try {
      const saved = await api<CompanyDetail>(`/companies/${current.id}`, {
        method: 'PATCH',
        headers: { 'if-match': `"${current.version}"` },
        body: {
          name: values.name,
          country: values.country || null,
          timezone: values.timezone,
          logo_url: values.logo_url || null,
          primary_color: values.primary_color || null,
        },
      })
      client.setQueryData(['company', current.id], saved)
      client.setQueryData<Company[]>(['companies'], (list) =>
        list?.map((c) => (c.id === saved.id ? { ...c, ...saved } : c)),
      )
      void message.success(t('form.saved'))
    } catch (err) {
      const text = changeError(t, err, form, FIELDS)
      setConflict(text === t('settings.conflict'))
      setError(text)
    }
  }
  const reload = async () => {
    setError(null)
    setConflict(false)
    const fresh = await company.refetch()
    if (fresh.data) fill(form, fresh.data)
  }

  return (
    <Flex vertical gap="middle">
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        {t('settings.companyTitle')}
      </Typography.Title>
      <Card size="small">
        {error && (
          <Alert
            type="error"
            showIcon
            title={error}
            role="alert"
            style={{ marginBottom: 12 }}
            data-testid="company-error"
            action={
              conflict && (
                <Button size="small" onClick={() => void reload()}>
                  {t('settings.reload')}
                </Button>
              )
            }
          />
        )}
        <Form
          name="company"
          form={form}
          layout="vertical"
          onFinish={save}
          disabled={!canUpdate}
          style={{ maxWidth: 560 }}
        >
          <Form.Item name="name" label={t('settings.companyName')} rules={[{ required: true }]}>
            <Input autoComplete="organization" data-testid="company-name" />
          </Form.Item>
          <Form.Item label={t('auth.currency')} extra={t('settings.currencyFixed')}>
            <Input value={current.currency} disabled aria-label={t('auth.currency')} />
          </Form.Item>
          <Form.Item name="country" label={t('auth.country')}>
            <Input maxLength={2} autoComplete="country" />
          </Form.Item>
          <Form.Item name="timezone" label={t('settings.timezone')} rules={[{ required: true }]}>
            <Input autoComplete="off" />
          </Form.Item>
          <Form.Item name="logo_url" label={t('settings.logoUrl')} extra={t('settings.logoHelp')}>
            <Input type="url" placeholder="https://" autoComplete="off" data-testid="company-logo" />
          </Form.Item>
          {logo && /^https:\/\//.test(logo) && (
            <img
              src={logo}
              alt={t('settings.logoPreview')}
              style={{ maxHeight: 48, maxWidth: 160, marginBottom: 16 }}
            />
          )}
          <Form.Item
            name="primary_color"
            label={t('settings.primaryColour')}
            extra={t('settings.colourHelp')}
            rules={[{ pattern: /^#[0-9a-f]{6}$/, message: t('settings.colourFormat') }]}
          >
            <ColourField pickerLabel={t('settings.pickColour')} />
          </Form.Item>
          {canUpdate && (
            <Button type="primary" htmlType="submit" data-testid="company-save">
              {t('form.save')}
            </Button>
          )}
        </Form>
      </Card>
    </Flex>
  )
}
