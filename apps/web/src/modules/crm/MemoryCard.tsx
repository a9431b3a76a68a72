import { useQuery } from '@tanstack/react-query'
import { Card, List, Tag, Typography } from 'antd'
import { useTranslation } from 'react-i18next'
import { api, query } from '../../api/client.ts'
import type { Memory } from './api.ts'

/** The customer memory: the "last time" summary and the facts worth recalling, by kind. */
export function MemoryView({
  data,
  loading,
  error,
}: {
  data?: Memory
  loading?: boolean
  error?: Error | null
}) {
  const { t } = useTranslation()
  return (
    <Card title={t('crm.memory.title')} size="small" loading={loading === true} data-testid="crm-memory">
      {error && <Typography.Text type="danger">{error.message}</Typography.Text>}
      {data && !data.summary && data.facts.length === 0 && (
        <Typography.Text type="secondary">{t('crm.memory.empty')}</Typography.Text>
      )}
      {data?.summary && (
        <Typography.Paragraph data-testid="crm-memory-summary">{data.summary}</Typography.Paragraph>
      )}
      {data && data.facts.length > 0 && (
        <List
          size="small"
          header={<Typography.Text strong>{t('crm.memory.facts')}</Typography.Text>}
          dataSource={data.facts}
          renderItem={(fact) => (
            <List.Item
              data-testid="crm-memory-fact"
              style={{ paddingInline: 0, justifyContent: 'flex-start', gap: 8 }}
            >
              <Tag>{t(`crm.memory.kinds.${fact.kind}`, { defaultValue: fact.kind })}</Tag>
              <Typography.Text title={fact.sentence}>{fact.text}</Typography.Text>
            </List.Item>
          )}
        />
      )}
    </Card>
  )
}

/** A deal's customer memory, read from the API (computed when asked, so always current). */
export function MemoryCard({ opportunity }: { opportunity: string }) {
  const memory = useQuery({
    queryKey: ['crm', 'memory', opportunity],
    queryFn: () => api<Memory>(`/crm/memory${query({ opportunity })}`),
  })
  return (
    <MemoryView
      {...(memory.data ? { data: memory.data } : {})}
      loading={memory.isPending}
      error={memory.error}
    />
  )
}
