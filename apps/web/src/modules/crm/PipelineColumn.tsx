import { SwapOutlined } from '@ant-design/icons'
import { Badge, Button, Card, Dropdown, Flex, Tag, Typography, theme } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { OPPORTUNITY, type PipelineCard, type PipelineColumn, type PipelineStage } from './api.ts'
import { formatMoney } from './money.ts'

interface Props {
  column: PipelineColumn
  stages: PipelineStage[]
  onMove: (card: PipelineCard, to: PipelineStage) => void
  find: (id: string) => PipelineCard | undefined
}

/**
 * One stage of the pipeline: its total in the company currency (amounts without a rate listed
 * apart), its deals as cards to drag, each with a menu to move it without a mouse.
 */
export function PipelineColumnView({ column, stages, onMove, find }: Props) {
  const { t, i18n } = useTranslation()
  const { token } = theme.useToken()
  const [over, setOver] = useState(false)
  const { stage } = column
  return (
    <section
      aria-label={stage.name}
      data-testid={`pipeline-column-${stage.name}`}
      onDragOver={(e) => {
        e.preventDefault()
        setOver(true)
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault()
        setOver(false)
        const card = find(e.dataTransfer.getData('text/plain'))
        if (card && !column.opportunities.some((c) => c.id === card.id)) onMove(card, stage)
      }}
      style={{
        flex: '0 0 260px',
        background: over ? token.colorPrimaryBg : token.colorFillQuaternary,
        borderRadius: token.borderRadiusLG,
        padding: 8,
        minHeight: 240,
      }}
    >
      <Flex justify="space-between" align="center" style={{ padding: '4px 4px 0' }}>
        <Typography.Title level={2} style={{ margin: 0, fontSize: 15 }}>
          {stage.name}
        </Typography.Title>
        <Badge count={column.count} showZero color={token.colorTextTertiary} />
      </Flex>
      <div style={{ padding: '0 4px 8px' }}>
        <Typography.Text type="secondary" data-testid="pipeline-total">
          {t('crm.pipeline.total')}: {formatMoney(column.total, i18n.language)}
        </Typography.Text>
        {column.unconverted.length > 0 && (
          <Typography.Text
            type="warning"
            style={{ display: 'block', fontSize: 12 }}
            data-testid="pipeline-unconverted"
          >
            {t('crm.pipeline.unconverted', {
              amounts: column.unconverted.map((m) => formatMoney(m, i18n.language)).join(', '),
            })}
          </Typography.Text>
        )}
      </div>
      {column.opportunities.map((card) => (
        <Card
          key={card.id}
          size="small"
          draggable
          onDragStart={(e) => {
            e.dataTransfer.setData('text/plain', card.id)
            e.dataTransfer.effectAllowed = 'move'
          }}
          style={{ marginBottom: 8, cursor: 'grab' }}
          data-testid="pipeline-card"
          data-record={card.id}
        >
          <Flex justify="space-between" align="flex-start" gap={4}>
            <div style={{ minWidth: 0 }}>
              <Link to={`/e/${OPPORTUNITY}/${card.id}`}>{card.name}</Link>
              {card.expected_revenue && (
                <Typography.Text style={{ display: 'block' }}>
                  {formatMoney(card.expected_revenue, i18n.language)}
                </Typography.Text>
              )}
              {card.organization?.name && (
                <Typography.Text type="secondary" style={{ display: 'block' }}>
                  {card.organization.name}
                </Typography.Text>
              )}
              <Flex gap={4} wrap style={{ marginTop: 4 }}>
                {card.owner?.name && <Tag>{card.owner.name}</Tag>}
                {card.confidence !== null && (
                  <Tag color="blue">{t('crm.pipeline.confidence', { score: card.confidence })}</Tag>
                )}
                {card.tags.map((tag) => (
                  <Tag key={tag.id}>{tag.name ?? tag.id}</Tag>
                ))}
              </Flex>
            </div>
            <Dropdown
              trigger={['click']}
              menu={{
                items: stages.filter((s) => s.id !== stage.id).map((s) => ({ key: s.id, label: s.name })),
                onClick: ({ key }) => {
                  const to = stages.find((s) => s.id === key)
                  if (to) onMove(card, to)
                },
              }}
            >
              <Button
                type="text"
                size="small"
                icon={<SwapOutlined />}
                aria-label={`${card.name}: ${t('crm.pipeline.moveTo')}`}
              />
            </Dropdown>
          </Flex>
        </Card>
      ))}
      {column.opportunities.length === 0 && (
        <Typography.Text type="secondary" style={{ padding: 4 }}>
          {t('crm.pipeline.empty')}
        </Typography.Text>
      )}
    </section>
  )
}
