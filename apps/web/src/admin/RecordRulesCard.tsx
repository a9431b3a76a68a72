import { Form, Input, Select } from 'antd'
import { useTranslation } from 'react-i18next'
import { useEntities } from '../api/queries.ts'
import { RulesCard, useRoleRules } from './RulesCard.tsx'
import type { RecordRule } from './types.ts'

interface Values {
  entity: string
  filter: string
  description?: string
}

/**
 * A role's record rules: the rows of an entity its holders may see, as a filter in the kernel's
 * filter language (`owner_id = $user.id`). The server checks the filter against the entity's
 * fields when saved; its complaint is shown on the filter field.
 */
export function RecordRulesCard({ role }: { role: string }) {
  const { t } = useTranslation()
  const entities = useEntities()
  const state = useRoleRules<RecordRule, Values>('record-rules', role, ['entity', 'filter', 'description'])

  return (
    <RulesCard<RecordRule, Values>
      title={t('settings.recordRules')}
      help={t('settings.recordRulesHelp')}
      state={state}
      testId="record-rule"
      addLabel={t('settings.addRecordRule')}
      onEdit={(r) => state.edit(r, { entity: r.entity, filter: r.filter, description: r.description ?? '' })}
      columns={[
        { key: 'entity', title: t('admin.entity'), dataIndex: 'entity' },
        {
          key: 'filter',
          title: t('settings.filter'),
          render: (_: unknown, r: RecordRule) => <code>{r.filter}</code>,
        },
        { key: 'description', title: t('settings.description'), dataIndex: 'description' },
      ]}
      form={{
        name: 'record-rule',
        // an emptied description is dropped from a new rule and cleared (null) on a changed one
        onFinish: ({ description, ...values }) =>
          state.save(
            { ...values, ...(description ? { description } : {}) },
            { ...values, description: description || null },
          ),
      }}
    >
      <Form.Item name="entity" label={t('admin.entity')} rules={[{ required: true }]}>
        <Select
          showSearch
          options={(entities.data ?? []).map((e) => ({
            value: e.key,
            label: `${e.plural_label} (${e.key})`,
          }))}
          data-testid="record-rule-entity"
        />
      </Form.Item>
      <Form.Item
        name="filter"
        label={t('settings.filter')}
        rules={[{ required: true }]}
        extra={t('settings.filterHelp')}
      >
        <Input.TextArea
          autoSize={{ minRows: 1, maxRows: 6 }}
          spellCheck={false}
          data-testid="record-rule-filter"
        />
      </Form.Item>
      <Form.Item name="description" label={t('settings.description')}>
        <Input autoComplete="off" />
      </Form.Item>
    </RulesCard>
  )
}
