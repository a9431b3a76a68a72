import { Result, Spin } from 'antd'
import { useTranslation } from 'react-i18next'
import { Navigate, useLocation } from 'react-router'
import { useEntities, useMenus } from '../api/queries.ts'
import type { MenuEntry } from '../api/types.ts'
import { entityOfMenu } from '../shell/navigation.tsx'
import { ErrorPage } from './ErrorPage.tsx'

/** A menu entry the member may use whose screen the web app does not draw yet: the API has it. */
function NotYetPage({ label }: { label: string }) {
  const { t } = useTranslation()
  return (
    <Result
      status="info"
      title={label}
      subTitle={t('errors.notYet')}
      extra={
        <a href="/api/docs" target="_blank" rel="noreferrer">
          /api/docs
        </a>
      }
    />
  )
}

const flatten = (entries: readonly MenuEntry[]): MenuEntry[] =>
  entries.flatMap((e) => [e, ...flatten(e.children)])

/**
 * Any other path: a module's menu path (`/partners`) opens its entity, another menu path says its
 * screen is not drawn yet, and a path the member's menus do not know is a 404 page.
 */
export function MenuPathPage() {
  const { pathname } = useLocation()
  const menus = useMenus()
  const entities = useEntities()
  if (!menus.data || !entities.data) return <Spin />
  const entry = flatten(menus.data).find((e) => e.path === pathname)
  const entity = entry
    ? entityOfMenu(entry, entities.data)
    : entities.data.find((e) => e.path === `/api/v1${pathname}`)
  if (entity) return <Navigate to={`/e/${entity.key}`} replace />
  if (entry) return <NotYetPage label={entry.label} />
  return <ErrorPage status={404} />
}
