import { ArrowLeftOutlined } from '@ant-design/icons'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { Alert, App, Button, Card, Col, Flex, Form, Row, Space, Spin, Tag, Tooltip, Typography } from 'antd'
import { useEffect, useMemo, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useLocation, useNavigate } from 'react-router'
import { ApiError, api, query } from '../api/client.ts'
import { applyErrors } from '../api/form-errors.ts'
import { holds, recordsPath, useMembership } from '../api/queries.ts'
import type { EntityMeta, EntityRecord, FieldMeta } from '../api/types.ts'
import { ErrorPage } from '../app/ErrorPage.tsx'
import { AttachmentsCard } from './AttachmentsCard.tsx'
import { clearDraft, readDraft, saveDraft } from './draft.ts'
import { FieldInput } from './FieldInput.tsx'
import { HistoryCard } from './HistoryCard.tsx'
import { LinesGrid } from './LinesGrid.tsx'
import { displayOf, formSections, toBody, toFormValues } from './values.ts'

const WIDE = new Set(['long_text', 'children', 'json'])

/** One record of any entity, drawn from its metadata; `id` undefined: a new record. */
export function RecordForm({ meta, id }: { meta: EntityMeta; id?: string }) {
  const { t } = useTranslation()
  const { message } = App.useApp()
  const navigate = useNavigate()
  const { pathname } = useLocation()
  const client = useQueryClient()
  const [form] = Form.useForm()
  const membership = useMembership()
  const [error, setError] = useState<string | null>(null)
  const [restored, setRestored] = useState(false)
  const [busy, setBusy] = useState(false)
  const path = recordsPath(meta)
  const lines = meta.fields.filter((f) => f.type === 'children').map((f) => f.name)
  const record = useQuery({
    queryKey: ['record', meta.key, id],
    queryFn: () => api<EntityRecord>(`${path}/${id}${query({ include: lines.join(',') })}`),
    enabled: id !== undefined,
  })
  const initial = useMemo(
    () => (record.data ? toFormValues(meta, record.data) : defaults(meta.fields)),
    [meta, record.data],
  )
  const sections = formSections(meta, t('form.other'))
  const names = meta.fields.map((f) => f.name)

  useEffect(() => {
    if (id !== undefined && !record.data) return
    form.resetFields()
    form.setFieldsValue(initial)
    const draft = readDraft(pathname)
    if (draft) {
      form.setFieldsValue(draft)
      setRestored(true)
    }
  }, [form, initial, id, record.data, pathname])

  if (id !== undefined && record.error) return <ErrorPage error={record.error} />
  if (id !== undefined && !record.data) return <Spin />

  const save = async (values: Record<string, unknown>) => {
    setBusy(true)
    setError(null)
    try {
      const saved = record.data
        ? await api<EntityRecord>(`${path}/${record.data.id}`, {
            method: 'PATCH',
            body: toBody(meta, values, initial),
            headers: { 'if-match': `"${record.data.version}"` },
          })
        : await api<EntityRecord>(path, { method: 'POST', body: toBody(meta, values) })
      clearDraft(pathname)
      setRestored(false)
      void message.success(t('form.saved'))
      await client.invalidateQueries({ queryKey: ['records', meta.key] })
      if (record.data) await record.refetch()
      else navigate(`/e/${meta.key}/${saved.id}`, { replace: true })
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) setError(t('form.conflict'))
      else setError(applyErrors(form, err, names))
    } finally {
      setBusy(false)
    }
  }

  const state = record.data?.state as string | undefined
  const actions = state ? meta.actions.filter((a) => a.from.includes(state)) : []
  const run = async (action: string, label: string) => {
    if (!record.data) return
    setError(null)
    try {
      await api(`${path}/${record.data.id}/actions/${action}`, {
        method: 'POST',
        headers: { 'if-match': `"${record.data.version}"` },
      })
      void message.success(t('form.actionDone', { action: label }))
      await client.invalidateQueries({ queryKey: ['records', meta.key] })
      await record.refetch()
    } catch (err) {
      setError(applyErrors(form, err, names))
    }
  }
  const locked = meta.states.find((s) => s.key === state)?.locked === true
  // a member who may only read sees the record, not inputs the API would refuse
  const readOnly = locked || !(record.data ? meta.rights.update : meta.rights.create)
  const owner = record.data && !readOnly ? { entity: meta.key, id: record.data.id } : undefined
  const title = record.data
    ? displayOf(record.data, meta.display_field)
    : t('form.newTitle', { label: meta.label })

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Space wrap>
          <Link to={`/e/${meta.key}`} aria-label={t('form.back')}>
            <ArrowLeftOutlined />
          </Link>
          <Typography.Title level={2} style={{ margin: 0, fontSize: 22 }} data-testid="form-title">
            {title}
          </Typography.Title>
          {state && (
            <Tag color="blue" data-testid="record-state">
              {meta.states.find((s) => s.key === state)?.label ?? state}
            </Tag>
          )}
        </Space>
        <Space wrap>
          {actions.map((a) => (
            <Tooltip key={a.name} title={a.allowed ? undefined : a.permission}>
              <Button
                disabled={!a.allowed}
                onClick={() => void run(a.name, a.label)}
                data-testid={`action-${a.name}`}
              >
                {a.label}
              </Button>
            </Tooltip>
          ))}
          <Button
            type="primary"
            onClick={() => form.submit()}
            loading={busy}
            disabled={readOnly}
            data-testid="save"
          >
            {t('form.save')}
          </Button>
        </Space>
      </Flex>
      {restored && <Alert type="info" showIcon title={t('form.draftRestored')} />}
      {error && <Alert type="error" showIcon title={error} role="alert" data-testid="form-error" />}
      <Form
        form={form}
        layout="vertical"
        onFinish={save}
        onValuesChange={(_changed, all) => saveDraft(pathname, all)}
        disabled={readOnly}
        scrollToFirstError
      >
        {sections.map((section) => (
          <Card key={section.label} title={section.label} size="small" style={{ marginBottom: 16 }}>
            <Row gutter={16}>
              {section.fields.map((field) => (
                <Col key={field.name} xs={24} md={WIDE.has(field.type) ? 24 : 12}>
                  <Form.Item
                    name={field.name}
                    label={field.label}
                    required={field.required}
                    tooltip={field.description ?? undefined}
                  >
                    {field.type === 'children' ? (
                      <LinesGrid field={field} parent={meta.key} />
                    ) : (
                      <FieldInput field={field} disabled={readOnly} {...(owner ? { owner } : {})} />
                    )}
                  </Form.Item>
                </Col>
              ))}
            </Row>
          </Card>
        ))}
      </Form>
      {record.data && meta.rights.read && (
        <AttachmentsCard entity={meta.key} recordId={record.data.id} canChange={meta.rights.update} />
      )}
      {record.data && holds(membership.data, 'kernel.audit:read') && (
        <HistoryCard entity={meta.key} record={record.data.id} />
      )}
    </Space>
  )
}

function defaults(fields: FieldMeta[]): Record<string, unknown> {
  const values: Record<string, unknown> = {}
  for (const f of fields) if (f.default !== null && f.default !== undefined) values[f.name] = f.default
  return values
}
