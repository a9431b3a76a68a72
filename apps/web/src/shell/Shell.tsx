import { LogoutOutlined, MenuOutlined, SafetyOutlined, UserOutlined } from '@ant-design/icons'
import {
  Avatar,
  Button,
  ConfigProvider,
  Drawer,
  Dropdown,
  Flex,
  Grid,
  Layout,
  Menu,
  Spin,
  Typography,
  theme,
} from 'antd'
import { type ReactNode, useEffect, useMemo, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useLocation, useNavigate } from 'react-router'
import { adminEntries } from '../admin/admin-menu.tsx'
import { holds, useCompanies, useEntities, useMembership, useMenus } from '../api/queries.ts'
import { useSession } from '../auth/session.tsx'
import { CompanySwitcher } from './CompanySwitcher.tsx'
import { NotificationBell } from './NotificationBell.tsx'
import { menuItems, menuSelection } from './navigation.tsx'
import { LanguageSwitch, ThemeSwitch } from './Preferences.tsx'
import { SearchBox } from './SearchBox.tsx'

/** The signed-in frame: navigation (a drawer on phones), the header's switches and the page. */
export function Shell({ children }: { children: ReactNode }) {
  const { t } = useTranslation()
  const navigate = useNavigate()
  const location = useLocation()
  const { me, logout } = useSession()
  const screens = Grid.useBreakpoint()
  const phone = screens.md === false
  const [drawer, setDrawer] = useState(false)
  const { token } = theme.useToken()
  const menus = useMenus()
  const entities = useEntities()
  const membership = useMembership()
  const companies = useCompanies()

  const items = useMemo(
    () =>
      menuItems(menus.data ?? [], entities.data ?? [], {
        customEntities: (entities.data ?? []).filter((e) => e.custom),
        canManageMeta: holds(membership.data, 'kernel.meta:manage'),
        adminEntries: adminEntries(membership.data, t),
        labels: {
          home: t('shell.home'),
          entities: t('shell.entities'),
          customFields: t('shell.customFields'),
          security: t('shell.security'),
        },
      }),
    [menus.data, entities.data, membership.data, t],
  )
  const here = useMemo(() => menuSelection(items, location.pathname), [items, location.pathname])
  const [openKeys, setOpenKeys] = useState<string[]>([])
  // arriving on a page opens the submenus holding its entry (on arrival only, so the member may
  // close them again); submenus already open stay so
  const trail = here.open.join('\n')
  useEffect(() => {
    if (trail) setOpenKeys((open) => [...new Set([...open, ...trail.split('\n')])])
  }, [trail])

  const go = ({ key }: { key: string }) => {
    if (!key.startsWith('group:') && !key.startsWith('none:')) navigate(key)
    setDrawer(false)
  }
  const nav = (
    <nav aria-label={t('shell.menu')}>
      <Menu
        mode="inline"
        items={items}
        selectedKeys={here.selected ? [here.selected] : []}
        openKeys={openKeys}
        onOpenChange={setOpenKeys}
        onClick={go}
        style={{ borderInlineEnd: 0 }}
      />
    </nav>
  )
  const signOut = async () => {
    await logout()
    navigate('/login', { replace: true })
  }
  const userMenu = {
    items: [
      { key: 'who', label: me?.user.email, disabled: true },
      { type: 'divider' as const },
      { key: 'security', label: t('shell.security'), icon: <SafetyOutlined /> },
      { key: 'logout', label: t('auth.logout'), icon: <LogoutOutlined />, danger: true },
    ],
    onClick: ({ key }: { key: string }) => {
      if (key === 'logout') void signOut()
      if (key === 'security') navigate('/settings/security')
    },
  }

  const brand = companies.data?.find((c) => c.current)
  return (
    <ConfigProvider theme={brand?.primary_color ? { token: { colorPrimary: brand.primary_color } } : {}}>
      <Layout style={{ minHeight: '100vh' }}>
        <a href="#content" className="skip-link">
          {t('app.skip')}
        </a>
        {!phone && (
          <Layout.Sider
            width={232}
            theme="light"
            style={{ borderInlineEnd: `1px solid ${token.colorBorderSecondary}` }}
            data-testid="sider"
          >
            <Flex align="center" gap={8} style={{ padding: '18px 24px' }}>
              {brand?.logo_url && <img src={brand.logo_url} alt="" style={{ maxHeight: 32, maxWidth: 48 }} />}
              <Typography.Text strong style={{ fontSize: 18 }}>
                {me?.tenant.name ?? 'Tessera'}
              </Typography.Text>
            </Flex>
            {nav}
          </Layout.Sider>
        )}
        <Drawer
          placement="left"
          open={phone && drawer}
          onClose={() => setDrawer(false)}
          title={me?.tenant.name}
          size={280}
          styles={{ body: { padding: 0 } }}
        >
          <Flex vertical gap={8} style={{ padding: 12 }}>
            <SearchBox />
            <CompanySwitcher block />
            <LanguageSwitch />
          </Flex>
          {nav}
        </Drawer>
        <Layout>
          <Layout.Header
            style={{
              background: token.colorBgContainer,
              borderBottom: `1px solid ${token.colorBorderSecondary}`,
              paddingInline: phone ? 8 : 24,
              display: 'flex',
              alignItems: 'center',
              gap: 8,
            }}
          >
            {phone && (
              <Button
                type="text"
                icon={<MenuOutlined />}
                aria-label={t('shell.openMenu')}
                onClick={() => setDrawer(true)}
                data-testid="menu-button"
              />
            )}
            {phone && brand?.logo_url && (
              <img src={brand.logo_url} alt="" style={{ maxHeight: 28, maxWidth: 40 }} />
            )}
            {phone && <Typography.Text strong>{me?.tenant.name}</Typography.Text>}
            <Flex flex={1} />
            {!phone && <SearchBox />}
            {!phone && <CompanySwitcher />}
            <NotificationBell />
            {!phone && <LanguageSwitch />}
            <ThemeSwitch />
            <Dropdown menu={userMenu} trigger={['click']}>
              <Button
                type="text"
                aria-label={phone ? t('shell.account') : `${me?.user.name ?? ''} (${t('shell.account')})`}
                data-testid="user-menu"
                style={{ paddingInline: 4 }}
              >
                <Avatar size="small" icon={<UserOutlined />} />
                {!phone && <span>{me?.user.name}</span>}
              </Button>
            </Dropdown>
          </Layout.Header>
          <Layout.Content id="content" style={{ padding: phone ? 12 : 24 }}>
            <main>{menus.isPending ? <Spin /> : children}</main>
          </Layout.Content>
        </Layout>
      </Layout>
    </ConfigProvider>
  )
}
