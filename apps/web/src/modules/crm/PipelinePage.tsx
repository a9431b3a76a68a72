import { PlusOutlined } from '@ant-design/icons'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { Alert, App, Button, Flex, Input, Modal, Select, Space, Spin, Typography } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useSearchParams } from 'react-router'
import { api, query } from '../../api/client.ts'
import { holds, useMembership } from '../../api/queries.ts'
import { ErrorPage } from '../../app/ErrorPage.tsx'
import { useSession } from '../../auth/session.tsx'
import { OPPORTUNITY, type Pipeline, type PipelineCard, type PipelineStage, refreshCrm } from './api.ts'
import { formatMoney } from './money.ts'
import { PipelineColumnView } from './PipelineColumn.tsx'
import { moveDeal } from './stage-move.ts'

/**
 * The pipeline as a kanban: a column per stage with its total in the company currency, filters
 * by owner and tag (kept in the address), and deals moved by drag and drop or the card's menu.
 * A move the server refuses stays on screen as an error and the card goes back to its column.
 */
export function PipelinePage() {
  const { t, i18n } = useTranslation()
  const { message } = App.useApp()
  const client = useQueryClient()
  const { me } = useSession()
  const membership = useMembership()
  const [params, setParams] = useSearchParams()
  const [error, setError] = useState<string | null>(null)
  const [losing, setLosing] = useState<{ card: PipelineCard; to: PipelineStage } | null>(null)
  const [reason, setReason] = useState('')
  const owner = params.get('owner') ?? undefined
  const tag = params.get('tag') ?? undefined
  const key = ['crm', 'pipeline', { owner, tag }]
  const pipeline = useQuery({
    queryKey: key,
    queryFn: () => api<Pipeline>(`/crm/pipeline${query({ owner, tag })}`),
  })
  const members = useQuery({
    queryKey: ['members'],
    queryFn: () => api<{ data: { user_id: string; name: string }[] }>('/members').then((r) => r.data),
    enabled: holds(membership.data, 'kernel.member:read'),
  })
  const tags = useQuery({
    queryKey: ['records', 'partners.tag', 'options'],
    queryFn: () =>
      api<{ data: { id: string; name: string }[] }>(`/partner-tags${query({ limit: 200 })}`).then(
        (r) => r.data,
      ),
  })

  const setFilter = (name: string, value: string | undefined) => {
    const next = new URLSearchParams(params)
    if (value) next.set(name, value)
    else next.delete(name)
    setParams(next, { replace: true })
  }

  /** Shows the card in its new column at once; the server's answer then confirms or undoes it. */
  const move = async (card: PipelineCard, to: PipelineStage, lostReason?: string) => {
    if (to.is_lost && !lostReason) {
      setLosing({ card, to })
      return
    }
    setError(null)
    const before = client.getQueryData<Pipeline>(key)
    if (before) client.setQueryData<Pipeline>(key, moveLocally(before, card.id, to.id))
    try {
      await moveDeal(card, to, lostReason)
      void message.success(t('crm.pipeline.moved', { stage: to.name }))
    } catch (err) {
      if (before) client.setQueryData<Pipeline>(key, before)
      setError(`${t('crm.pipeline.refused', { stage: to.name })}: ${(err as Error).message}`)
    }
    await refreshCrm(client)
  }

  if (pipeline.error) return <ErrorPage error={pipeline.error} />
  const ownerOptions = [
    ...(me ? [{ value: me.user.id, label: me.user.name }] : []),
    ...(members.data ?? [])
      .filter((m) => m.user_id !== me?.user.id)
      .map((m) => ({ value: m.user_id, label: m.name })),
  ]
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <div>
          <Typography.Title level={1} style={{ margin: 0, fontSize: 24 }}>
            {t('crm.pipeline.title')}
          </Typography.Title>
          {pipeline.data && (
            <Typography.Text type="secondary" data-testid="pipeline-grand-total">
              {t('crm.pipeline.total')}: {formatMoney(pipeline.data.total, i18n.language)}
              {pipeline.data.unconverted.length > 0 &&
                ` · ${t('crm.pipeline.unconverted', {
                  amounts: pipeline.data.unconverted.map((m) => formatMoney(m, i18n.language)).join(', '),
                })}`}
            </Typography.Text>
          )}
        </div>
        <Space wrap>
          <Select
            allowClear
            aria-label={t('crm.pipeline.owner')}
            placeholder={t('crm.pipeline.anyOwner')}
            value={owner}
            onChange={(v?: string) => setFilter('owner', v)}
            options={ownerOptions}
            style={{ minWidth: 170 }}
            data-testid="pipeline-owner"
          />
          <Select
            allowClear
            aria-label={t('crm.pipeline.tag')}
            placeholder={t('crm.pipeline.anyTag')}
            value={tag}
            onChange={(v?: string) => setFilter('tag', v)}
            options={(tags.data ?? []).map((x) => ({ value: x.id, label: x.name }))}
            style={{ minWidth: 150 }}
            data-testid="pipeline-tag"
          />
          <Link to={`/e/${OPPORTUNITY}`}>
            <Button>{t('crm.pipeline.list')}</Button>
          </Link>
          <Link to={`/e/${OPPORTUNITY}/new`}>
            <Button type="primary" icon={<PlusOutlined />}>
              {t('crm.pipeline.newDeal')}
            </Button>
          </Link>
        </Space>
      </Flex>
      {error && (
        <Alert
          type="error"
          showIcon
          closable={{ onClose: () => setError(null) }}
          title={error}
          role="alert"
          data-testid="pipeline-error"
        />
      )}
      {!pipeline.data ? (
        <Spin />
      ) : (
        <Flex gap={12} style={{ overflowX: 'auto', paddingBottom: 8 }} data-testid="pipeline">
          {pipeline.data.columns.map((column) => (
            <PipelineColumnView
              key={column.stage.id}
              column={column}
              stages={pipeline.data.columns.map((c) => c.stage)}
              onMove={(card, to) => void move(card, to)}
              find={(id) => findCard(pipeline.data, id)}
            />
          ))}
        </Flex>
      )}
      <Modal
        open={losing !== null}
        title={losing ? `${losing.card.name} → ${losing.to.name}` : ''}
        okButtonProps={{ disabled: reason.trim() === '' }}
        onOk={() => {
          if (losing) void move(losing.card, losing.to, reason.trim())
          setLosing(null)
          setReason('')
        }}
        onCancel={() => {
          setLosing(null)
          setReason('')
        }}
      >
        <Input
          aria-label={t('crm.pipeline.lostReason')}
          placeholder={t('crm.pipeline.lostReason')}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          maxLength={500}
          data-testid="lost-reason"
        />
      </Modal>
    </Space>
  )
}

function findCard(pipeline: Pipeline, id: string): PipelineCard | undefined {
  for (const column of pipeline.columns) {
    const card = column.opportunities.find((c) => c.id === id)
    if (card) return card
  }
  return undefined
}

/** The board with one card moved to another column (totals stay until the server's answer). */
function moveLocally(pipeline: Pipeline, id: string, to: string): Pipeline {
  const card = findCard(pipeline, id)
  if (!card) return pipeline
  return {
    ...pipeline,
    columns: pipeline.columns.map((c) => ({
      ...c,
      opportunities:
        c.stage.id === to
          ? [...c.opportunities.filter((x) => x.id !== id), card]
          : c.opportunities.filter((x) => x.id !== id),
    })),
  }
}
