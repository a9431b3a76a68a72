import { useQuery } from '@tanstack/react-query'
import { Card, Timeline, Typography } from 'antd'
import { useTranslation } from 'react-i18next'
import { api, query } from '../api/client.ts'

interface AuditEntry {
  id: string
  occurred_at: string
  user_id: string | null
  action: string
  new_values: Record<string, unknown> | null
}

/** A record's history from the audit trail (shown to members who may read the trail). */
export function HistoryCard({ entity, record }: { entity: string; record: string }) {
  const { t } = useTranslation()
  const history = useQuery({
    queryKey: ['audit', entity, record],
    queryFn: () =>
      api<{ data: AuditEntry[] }>(`/audit${query({ entity, record, limit: 50 })}`).then((r) => r.data),
  })
  if (!history.data || history.data.length === 0) return null
  return (
    <Card title={t('form.history')} size="small" data-testid="history">
      <Timeline
        items={history.data.map((e) => ({
          key: e.id,
          content: (
            <>
              <Typography.Text strong>{e.action}</Typography.Text>{' '}
              <Typography.Text type="secondary">{new Date(e.occurred_at).toLocaleString()}</Typography.Text>
              {e.new_values && (
                <div>
                  <Typography.Text type="secondary">{Object.keys(e.new_values).join(', ')}</Typography.Text>
                </div>
              )}
            </>
          ),
        }))}
      />
    </Card>
  )
}
