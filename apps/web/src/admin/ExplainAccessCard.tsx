import { Alert, Button, Card, Descriptions, Form, Input, List, Select, Tag, Typography } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api, query } from '../api/client.ts'
import { useEntities } from '../api/queries.ts'
import { changeError, clearErrors } from './errors.ts'
import type { Member } from './types.ts'

interface Values {
  member: string
  entity: string
  id: string
}

interface Explanation {
  can_read: boolean
  reason: string
  roles: {
    role: string
    grants_read: boolean
    reason: string
    record_rules: { filter: string; matches: boolean }[]
  }[]
  fields: { hidden: string[]; read_only: string[] }
}

/** Why a member can or cannot see one record: each role, its record rules and the masked fields. */
export function ExplainAccessCard({ members }: { members: readonly Member[] }) {
  const { t } = useTranslation()
  const entities = useEntities()
  const [form] = Form.useForm<Values>()
  const [error, setError] = useState<string | null>(null)
  const [answer, setAnswer] = useState<Explanation | null>(null)
  const explain = async (values: Values) => {
    setError(null)
    setAnswer(null)
    clearErrors(form, ['member', 'entity', 'id'])
    try {
      setAnswer(await api<Explanation>(`/access/explain${query({ ...values })}`))
    } catch (err) {
      setError(changeError(t, err, form, ['member', 'entity', 'id']))
    }
  }
  return (
    <Card
      size="small"
      title={
        <Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>
          {t('settings.explainTitle')}
        </Typography.Title>
      }
    >
      {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 12 }} />}
      <Form name="explain" form={form} layout="vertical" onFinish={explain}>
        <Form.Item name="member" label={t('settings.member')} rules={[{ required: true }]}>
          <Select
            showSearch
            options={members.map((m) => ({ value: m.id, label: `${m.name} (${m.email})` }))}
          />
        </Form.Item>
        <Form.Item name="entity" label={t('admin.entity')} rules={[{ required: true }]}>
          <Select
            showSearch
            options={(entities.data ?? []).map((e) => ({
              value: e.key,
              label: `${e.plural_label} (${e.key})`,
            }))}
          />
        </Form.Item>
        <Form.Item name="id" label={t('settings.recordId')} rules={[{ required: true }]}>
          <Input autoComplete="off" spellCheck={false} />
        </Form.Item>
        <Button htmlType="submit" data-testid="explain-submit">
          {t('settings.explain')}
        </Button>
      </Form>
      {answer && (
        <div data-testid="explanation" style={{ marginTop: 16 }}>
          <Descriptions size="small" column={1} bordered>
            <Descriptions.Item label={t('settings.canRead')}>
              <Tag color={answer.can_read ? 'green' : 'red'}>
                {answer.can_read ? t('form.yes') : t('form.no')}
              </Tag>
              <code>{answer.reason}</code>
            </Descriptions.Item>
            <Descriptions.Item label={t('settings.hidden')}>
              {answer.fields.hidden.join(', ')}
            </Descriptions.Item>
            <Descriptions.Item label={t('settings.readOnly')}>
              {answer.fields.read_only.join(', ')}
            </Descriptions.Item>
          </Descriptions>
          <List
            size="small"
            dataSource={answer.roles}
            renderItem={(r) => (
              <List.Item>
                <Tag>{r.role}</Tag>
                <Tag color={r.grants_read ? 'green' : 'default'}>{r.reason}</Tag>
                {r.record_rules.map((rule) => (
                  <code key={rule.filter} style={{ marginInlineEnd: 8 }}>
                    {rule.filter} {rule.matches ? '✓' : '✗'}
                  </code>
                ))}
              </List.Item>
            )}
          />
        </div>
      )}
    </Card>
  )
}
