import { Card, Col, Row, Typography } from 'antd'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { useEntities } from '../api/queries.ts'
import { useSession } from '../auth/session.tsx'

/** The landing page: a greeting and the entities the member may open. */
export function HomePage() {
  const { t } = useTranslation()
  const { me } = useSession()
  const entities = useEntities()
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {t('shell.welcome', { name: me?.user.name })}
      </Typography.Title>
      <Typography.Paragraph>{t('shell.welcomeText')}</Typography.Paragraph>
      <Row gutter={[16, 16]}>
        {(entities.data ?? []).map((e) => (
          <Col key={e.key} xs={24} sm={12} lg={8}>
            <Link to={`/e/${e.key}`}>
              <Card hoverable size="small" title={e.plural_label}>
                <Typography.Text type="secondary">{e.key}</Typography.Text>
              </Card>
            </Link>
          </Col>
        ))}
        <Col xs={24} sm={12} lg={8}>
          <Link to="/settings/modules">
            <Card hoverable size="small" title={t('shell.modules')}>
              <Typography.Text type="secondary">{t('shell.admin')}</Typography.Text>
            </Card>
          </Link>
        </Col>
      </Row>
    </>
  )
}
