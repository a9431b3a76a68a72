import { useQuery, useQueryClient } from '@tanstack/react-query'
import { Col, Grid, Row, Space } from 'antd'
import { useEffect, useRef } from 'react'
import type { EntityMeta, EntityRecord } from '../../api/types.ts'
import { RecordForm } from '../../views/RecordForm.tsx'
import { ActivitiesCard } from './ActivitiesCard.tsx'
import { refreshCrm } from './api.ts'
import { ConfidencePanel } from './ConfidencePanel.tsx'
import { LeadBanner } from './LeadBanner.tsx'
import { MemoryCard } from './MemoryCard.tsx'
import { TimelineCard } from './TimelineCard.tsx'

/**
 * A deal: the generic form of crm.opportunity (fields, stage, actions, history) beside what the
 * CRM adds: the confidence with its reasons, the customer memory, the activities and the timeline.
 */
export function OpportunityPage({ meta, id }: { meta: EntityMeta; id: string }) {
  const client = useQueryClient()
  // the form's own query (shared by key): a new version means the generic form saved the deal
  const record = useQuery<EntityRecord>({ queryKey: ['record', meta.key, id], enabled: false }).data
  const version = record?.version
  const first = useRef<number | undefined>(undefined)
  useEffect(() => {
    if (version === undefined) return
    if (first.current === undefined) first.current = version
    else if (version !== first.current) {
      first.current = version
      void refreshCrm(client)
    }
  }, [version, client])
  const wide = Grid.useBreakpoint().xl === true
  const form = (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      {record?.type === 'lead' && <LeadBanner id={id} />}
      <RecordForm meta={meta} id={id} />
    </Space>
  )
  const confidence = <ConfidencePanel opportunity={id} />
  const memory = <MemoryCard opportunity={id} />
  const activities = <ActivitiesCard opportunity={id} />
  const timeline = <TimelineCard opportunity={id} />
  if (!wide)
    // narrower screens: how the deal stands and what to recall first, then the form and the work
    return (
      <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
        {confidence}
        {memory}
        {form}
        {activities}
        {timeline}
      </Space>
    )
  return (
    <Row gutter={16}>
      <Col span={15}>{form}</Col>
      <Col span={9}>
        <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
          {confidence}
          {memory}
          {activities}
          {timeline}
        </Space>
      </Col>
    </Row>
  )
}
