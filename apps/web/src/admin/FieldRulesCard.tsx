import { Form, Radio, Select, Tag } from 'antd'
import { useTranslation } from 'react-i18next'
import { useEntities, useEntityMeta } from '../api/queries.ts'
import type { FieldMeta } from '../api/types.ts'
import { RulesCard, useRoleRules } from './RulesCard.tsx'
import type { FieldRule } from './types.ts'

interface Values {
  entity: string
  field: string
  access: 'hidden' | 'read_only'
}

/** How a field rule names a field: custom fields of a module's entity as `custom.<key>`. */
const ruleName = (field: FieldMeta) => (field.custom ? `custom.${field.name}` : field.name)

/** A role's field masks: fields of an entity hidden from its holders, or shown but read-only. */
export function FieldRulesCard({ role }: { role: string }) {
  const { t } = useTranslation()
  const entities = useEntities()
  const state = useRoleRules<FieldRule, Values>('field-rules', role, ['entity', 'field', 'access'])
  const entity = Form.useWatch('entity', state.form)
  const meta = useEntityMeta(entity)
  const accessLabel = (access: string) =>
    access === 'hidden' ? t('settings.hidden') : t('settings.readOnly')

  return (
    <RulesCard<FieldRule, Values>
      title={t('settings.fieldRules')}
      help={t('settings.fieldRulesHelp')}
      state={state}
      testId="field-rule"
      addLabel={t('settings.addFieldRule')}
      onEdit={(r) => state.edit(r, { entity: r.entity, field: r.field, access: r.access })}
      columns={[
        { key: 'entity', title: t('admin.entity'), dataIndex: 'entity' },
        {
          key: 'field',
          title: t('settings.field'),
          render: (_: unknown, r: FieldRule) => <code>{r.field}</code>,
        },
        {
          key: 'access',
          title: t('settings.access'),
          render: (_: unknown, r: FieldRule) => (
            // orange text on its tint fails contrast (axe): blue does not
            <Tag color={r.access === 'hidden' ? 'red' : 'blue'}>{accessLabel(r.access)}</Tag>
          ),
        },
      ]}
      form={{
        name: 'field-rule',
        onFinish: (values) => state.save(values),
        initialValues: { access: 'hidden' },
        onValuesChange: (changed) => {
          if ('entity' in changed) state.form.setFieldValue('field', undefined)
        },
      }}
    >
      <Form.Item name="entity" label={t('admin.entity')} rules={[{ required: true }]}>
        <Select
          showSearch
          options={(entities.data ?? []).map((e) => ({
            value: e.key,
            label: `${e.plural_label} (${e.key})`,
          }))}
          data-testid="field-rule-entity"
        />
      </Form.Item>
      <Form.Item name="field" label={t('settings.field')} rules={[{ required: true }]}>
        <Select
          showSearch
          disabled={!entity}
          loading={meta.isFetching}
          options={(meta.data?.fields ?? []).map((f) => ({
            value: ruleName(f),
            label: `${f.label} (${ruleName(f)})`,
          }))}
          data-testid="field-rule-field"
        />
      </Form.Item>
      <Form.Item name="access" label={t('settings.access')}>
        <Radio.Group
          options={[
            { value: 'hidden', label: t('settings.hidden') },
            { value: 'read_only', label: t('settings.readOnly') },
          ]}
        />
      </Form.Item>
    </RulesCard>
  )
}
