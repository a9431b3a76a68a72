import { ArrowDownOutlined, ArrowUpOutlined } from '@ant-design/icons'
import { useQuery } from '@tanstack/react-query'
import { Card, Flex, List, Progress, Tag, Typography, theme } from 'antd'
import { useTranslation } from 'react-i18next'
import { api } from '../../api/client.ts'
import { afterWrites, type Confidence } from './api.ts'

const colourOf = (score: number) => (score >= 70 ? '#389e0d' : score >= 40 ? '#d48806' : '#cf1322')

/** A deal's confidence score (0-100) as a gauge, how it moved, and the signed reasons behind it. */
export function ConfidencePanel({ opportunity }: { opportunity: string }) {
  const { t } = useTranslation()
  const { token } = theme.useToken()
  const confidence = useQuery({
    queryKey: ['crm', 'confidence', opportunity],
    queryFn: () => api<Confidence>(`/crm/opportunities/${opportunity}/confidence`),
    refetchInterval: afterWrites,
  })
  const data = confidence.data
  return (
    <Card
      title={t('crm.confidence.title')}
      size="small"
      loading={confidence.isPending}
      data-testid="crm-confidence"
    >
      {confidence.error && <Typography.Text type="danger">{confidence.error.message}</Typography.Text>}
      {data && data.score === null && (
        <Typography.Text type="secondary">{t('crm.confidence.notYet')}</Typography.Text>
      )}
      {data && data.score !== null && (
        <Flex gap={16} align="flex-start" wrap>
          <Flex vertical align="center">
            <Progress
              type="dashboard"
              percent={data.score}
              strokeColor={colourOf(data.score)}
              format={(score) => <span data-testid="crm-confidence-score">{score}</span>}
              aria-label={t('crm.confidence.score')}
              size={110}
            />
            {data.previous_score !== null && data.previous_score !== data.score && (
              <Typography.Text type={data.score > data.previous_score ? 'success' : 'danger'}>
                {data.score > data.previous_score ? <ArrowUpOutlined /> : <ArrowDownOutlined />}{' '}
                {t('crm.confidence.was', { score: data.previous_score })}
              </Typography.Text>
            )}
          </Flex>
          <div style={{ flex: '1 1 180px', minWidth: 0 }}>
            <Typography.Text strong>{t('crm.confidence.reasons')}</Typography.Text>
            <List
              size="small"
              dataSource={data.signals}
              locale={{
                emptyText: <Typography.Text type="secondary">{t('crm.confidence.none')}</Typography.Text>,
              }}
              renderItem={(signal) => (
                <List.Item data-testid="crm-confidence-reason" style={{ paddingInline: 0 }}>
                  <Flex gap={8} align="baseline">
                    <Tag
                      icon={
                        signal.amount >= 0 ? (
                          <ArrowUpOutlined style={{ color: token.colorSuccess }} />
                        ) : (
                          <ArrowDownOutlined style={{ color: token.colorError }} />
                        )
                      }
                      style={{ minWidth: 56, textAlign: 'center' }}
                    >
                      {signal.amount > 0 ? `+${signal.amount}` : signal.amount}
                    </Tag>
                    <Typography.Text>{signal.reason}</Typography.Text>
                  </Flex>
                </List.Item>
              )}
            />
          </div>
        </Flex>
      )}
    </Card>
  )
}
