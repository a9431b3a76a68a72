import { useQuery } from '@tanstack/react-query'
import {
  Button,
  Card,
  Col,
  Descriptions,
  Flex,
  Grid,
  List,
  Row,
  Space,
  Spin,
  Tag,
  Typography,
  theme,
} from 'antd'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useParams } from 'react-router'
import { api } from '../../api/client.ts'
import { ErrorPage } from '../../app/ErrorPage.tsx'
import { ActivitiesCard } from './ActivitiesCard.tsx'
import { OPPORTUNITY, type PartnerOverview } from './api.ts'
import { MemoryView } from './MemoryCard.tsx'
import { formatMoney } from './money.ts'
import { OtherSection } from './OtherSection.tsx'
import { TimelineCard } from './TimelineCard.tsx'

const PROFILE_FIELDS = [
  'kind',
  'job_title',
  'email',
  'phone',
  'mobile',
  'website',
  'vat_id',
  'is_customer',
  'is_supplier',
]
const DRAWN = new Set(['contacts', 'opportunities', 'activities', 'memory'])

/**
 * /crm/partners/:id, the 360-degree view of a contact: profile, memory, deals, people, activities
 * and timeline, then whatever other sections the server sends (documents, and the quotes, orders,
 * invoices or tickets of active modules). A section the member may not read is not sent at all.
 */
export function PartnerOverviewPage() {
  const { t, i18n } = useTranslation()
  const { id } = useParams()
  const wide = Grid.useBreakpoint().lg === true
  const { token } = theme.useToken()
  const overview = useQuery({
    queryKey: ['crm', 'overview', id],
    queryFn: () => api<PartnerOverview>(`/partners/${id}/overview`),
  })
  if (overview.error) return <ErrorPage error={overview.error} />
  if (!overview.data || !id) return <Spin />
  const data = overview.data
  const { profile } = data
  // included by the server: the person's organisation as a record
  const organization = profile.organization as { id: string; name: string } | null | undefined
  const yesNo = (v: unknown) => (typeof v === 'boolean' ? (v ? t('form.yes') : t('form.no')) : String(v))

  const profileCard = (
    <Card title={t('crm.partner.profile')} size="small" data-testid="partner-profile">
      <Descriptions
        size="small"
        column={{ xs: 1, md: 2 }}
        // the default label grey is too faint to read (axe color-contrast)
        styles={{ label: { color: token.colorTextSecondary } }}
        items={[
          ...(organization
            ? [
                {
                  key: 'organization',
                  label: t('crm.partner.fields.organization'),
                  children: <Link to={`/crm/partners/${organization.id}`}>{organization.name}</Link>,
                },
              ]
            : []),
          ...PROFILE_FIELDS.filter(
            (f) => profile[f] !== null && profile[f] !== undefined && profile[f] !== '',
          ).map((f) => ({ key: f, label: t(`crm.partner.fields.${f}`), children: yesNo(profile[f]) })),
        ]}
      />
    </Card>
  )
  const deals = data.opportunities && (
    <Card title={t('crm.partner.opportunities')} size="small" data-testid="partner-opportunities">
      <List
        size="small"
        dataSource={data.opportunities}
        locale={{
          emptyText: <Typography.Text type="secondary">{t('crm.partner.noOpportunities')}</Typography.Text>,
        }}
        renderItem={(deal) => (
          <List.Item>
            <Space wrap size={6}>
              <Link to={`/e/${OPPORTUNITY}/${deal.id}`}>{deal.name}</Link>
              {deal.stage?.name && <Tag>{deal.stage.name}</Tag>}
              {deal.state !== 'open' && <Tag color={deal.state === 'won' ? 'blue' : 'red'}>{deal.state}</Tag>}
              {deal.expected_revenue && (
                <Typography.Text>{formatMoney(deal.expected_revenue, i18n.language)}</Typography.Text>
              )}
              {deal.confidence !== null && (
                <Tag color="blue">{t('crm.pipeline.confidence', { score: deal.confidence })}</Tag>
              )}
            </Space>
          </List.Item>
        )}
      />
    </Card>
  )
  const contacts = data.contacts && (
    <Card title={t('crm.partner.contacts')} size="small" data-testid="partner-contacts">
      <List
        size="small"
        dataSource={data.contacts}
        locale={{
          emptyText: <Typography.Text type="secondary">{t('crm.partner.noContacts')}</Typography.Text>,
        }}
        renderItem={(contact) => (
          <List.Item>
            <Link to={`/crm/partners/${contact.id}`}>{contact.name}</Link>
            {typeof contact.email === 'string' && (
              <Typography.Text type="secondary">{contact.email}</Typography.Text>
            )}
          </List.Item>
        )}
      />
    </Card>
  )
  const memory = data.memory && <MemoryView data={data.memory} />
  const activities = data.activities && (
    <ActivitiesCard partner={id} deals={(data.opportunities ?? []).map((d) => d.id)} />
  )
  const others = data.sections
    .filter((s) => !DRAWN.has(s) && data[s] !== undefined)
    .map((s) => <OtherSection key={s} name={s} value={data[s]} />)
  const names = new Map([
    [profile.id, profile.name],
    ...(data.opportunities ?? []).map((d) => [d.id, d.name] as const),
  ])
  const timeline = <TimelineCard partner={id} names={names} />

  const stack = (nodes: ReactNode[]) => (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      {nodes}
    </Space>
  )
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Title level={1} style={{ margin: 0, fontSize: 24 }} data-testid="partner-name">
          {profile.name}
        </Typography.Title>
        <Link to={`/e/partners.partner/${id}`}>
          <Button>{t('crm.partner.openRecord')}</Button>
        </Link>
      </Flex>
      {wide ? (
        <Row gutter={16}>
          <Col span={14}>{stack([profileCard, deals, contacts, ...others])}</Col>
          <Col span={10}>{stack([memory, activities, timeline])}</Col>
        </Row>
      ) : (
        // on a phone, what to recall before a call comes first
        stack([profileCard, memory, deals, activities, contacts, ...others, timeline])
      )}
    </Space>
  )
}
