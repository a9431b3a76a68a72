import { AppstoreAddOutlined } from '@ant-design/icons'
import { Button, Card, Col, Empty, Flex, Row, Spin, Typography } from 'antd'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { holds, useEntities, useMembership, useMenus } from '../api/queries.ts'
import type { EntitySummary, MenuEntry } from '../api/types.ts'
import { useSession } from '../auth/session.tsx'
import { entityOfMenu, linkOf } from '../shell/navigation.tsx'

const flatten = (entries: readonly MenuEntry[]): MenuEntry[] =>
  entries.flatMap((e) => [e, ...flatten(e.children)])

interface Tile {
  key: string
  title: string
  links: { to: string; label: string }[]
}

/**
 * The apps the member can open, as tiles (one per top-level menu of a module, with its entries),
 * then the records no menu leads to (custom entities); the kernel's settings stay in the side menu.
 */
function tilesOf(
  menus: readonly MenuEntry[],
  entities: readonly EntitySummary[],
  otherTitle: string,
): Tile[] {
  const apps = menus
    .filter((m) => m.module !== 'kernel')
    .map((m) => ({
      key: m.id,
      title: m.label,
      links: (m.children.length > 0 ? m.children : [m]).flatMap((c) => {
        const to = linkOf(c, entities)
        return to ? [{ to, label: c.label }] : []
      }),
    }))
    .filter((tile) => tile.links.length > 0)
  const reached = new Set(flatten(menus).flatMap((m) => entityOfMenu(m, entities)?.key ?? []))
  const others = entities.filter((e) => !reached.has(e.key))
  if (others.length > 0)
    apps.push({
      key: 'other',
      title: otherTitle,
      links: others.map((e) => ({ to: `/e/${e.key}`, label: e.plural_label })),
    })
  return apps
}

/** The landing page: a greeting, the member's apps, and for a new workspace the way to add some. */
export function HomePage() {
  const { t } = useTranslation()
  const { me } = useSession()
  const menus = useMenus()
  const entities = useEntities()
  const membership = useMembership()
  const canAddApps = holds(membership.data, 'kernel.module:manage')
  const tiles =
    menus.data && entities.data ? tilesOf(menus.data, entities.data, t('shell.otherRecords')) : null
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {t('shell.welcome', { name: me?.user.name })}
      </Typography.Title>
      {tiles === null && <Spin />}
      {tiles?.length === 0 && (
        <Empty
          image={<AppstoreAddOutlined style={{ fontSize: 48 }} />}
          description={canAddApps ? t('shell.noAppsYet') : t('shell.noAppsForYou')}
        >
          {canAddApps && (
            <Link to="/settings/modules">
              <Button type="primary" data-testid="add-apps">
                {t('shell.addApps')}
              </Button>
            </Link>
          )}
        </Empty>
      )}
      {tiles && tiles.length > 0 && (
        <>
          <Typography.Paragraph>{t('shell.welcomeText')}</Typography.Paragraph>
          <Row gutter={[16, 16]}>
            {tiles.map((tile) => (
              <Col key={tile.key} xs={24} sm={12} lg={8}>
                <Card size="small" title={tile.title} data-testid="app-tile" style={{ height: '100%' }}>
                  <Flex vertical gap={4}>
                    {tile.links.map((link) => (
                      <Link key={link.to} to={link.to}>
                        {link.label}
                      </Link>
                    ))}
                  </Flex>
                </Card>
              </Col>
            ))}
          </Row>
          {canAddApps && (
            <Link to="/settings/modules" style={{ display: 'inline-block', marginTop: 16 }}>
              <Button icon={<AppstoreAddOutlined />}>{t('shell.addApps')}</Button>
            </Link>
          )}
        </>
      )}
    </>
  )
}
