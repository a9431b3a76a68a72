import { Card, Descriptions, List, Typography, theme } from 'antd'
import { useTranslation } from 'react-i18next'

const labelOf = (name: string) => name.replace(/[_-]+/g, ' ').replace(/^\w/, (c) => c.toUpperCase())

/** What a record reads as in a list: its name, number or title, else its id. */
function titleOf(item: unknown): string {
  if (item === null || typeof item !== 'object') return String(item)
  const r = item as Record<string, unknown>
  for (const key of ['name', 'number', 'title', 'subject', 'label'])
    if (typeof r[key] === 'string') return r[key]
  return typeof r.id === 'string' ? r.id : JSON.stringify(item)
}

/**
 * A section of the 360-degree view that another module adds (orders, invoices, tickets…): the app
 * does not know its shape, so a list shows each item's name and an object its scalar values.
 */
export function OtherSection({ name, value }: { name: string; value: unknown }) {
  const { t } = useTranslation()
  const { token } = theme.useToken()
  const title = t(`crm.partner.sections.${name}`, { defaultValue: labelOf(name) })
  if (Array.isArray(value))
    return (
      <Card title={title} size="small" data-testid={`partner-section-${name}`}>
        <List
          size="small"
          dataSource={value}
          locale={{
            emptyText: <Typography.Text type="secondary">{t('crm.partner.emptySection')}</Typography.Text>,
          }}
          renderItem={(item) => <List.Item>{titleOf(item)}</List.Item>}
        />
      </Card>
    )
  if (typeof value === 'object' && value !== null)
    return (
      <Card title={title} size="small" data-testid={`partner-section-${name}`}>
        <Descriptions
          size="small"
          column={1}
          styles={{ label: { color: token.colorTextSecondary } }}
          items={Object.entries(value)
            .filter(([, v]) => v === null || typeof v !== 'object')
            .map(([k, v]) => ({ key: k, label: labelOf(k), children: String(v ?? '') }))}
        />
      </Card>
    )
  return (
    <Card title={title} size="small" data-testid={`partner-section-${name}`}>
      <Typography.Text>{String(value)}</Typography.Text>
    </Card>
  )
}
