import { Button, Result } from 'antd'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { ApiError } from '../api/client.ts'

/** A clear page for a refusal or a missing page or record, never a blank screen. */
export function ErrorPage({ status, error }: { status?: 403 | 404; error?: unknown }) {
  const { t } = useTranslation()
  const code = status ?? (error instanceof ApiError ? error.status : 500)
  const home = (
    <Link to="/">
      <Button type="primary">{t('errors.home')}</Button>
    </Link>
  )
  if (code === 403)
    return (
      <Result status="403" title={t('errors.forbiddenTitle')} subTitle={t('errors.forbidden')} extra={home} />
    )
  if (code === 404)
    return (
      <Result status="404" title={t('errors.notFoundTitle')} subTitle={t('errors.notFound')} extra={home} />
    )
  const detail = error instanceof Error ? error.message : t('errors.generic')
  return <Result status="error" title={t('errors.generic')} subTitle={detail} extra={home} />
}
