import { useQueryClient } from '@tanstack/react-query'
import { Alert, App, Button } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api } from '../../api/client.ts'
import { OPPORTUNITY, refreshCrm } from './api.ts'

/**
 * Above a lead: converting it makes it an opportunity in the pipeline's first stage, linking its
 * contacts or creating them from the names the lead was given (POST /crm/opportunities/{id}/convert).
 */
export function LeadBanner({ id }: { id: string }) {
  const { t } = useTranslation()
  const { message } = App.useApp()
  const client = useQueryClient()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const convert = async () => {
    setBusy(true)
    setError(null)
    try {
      await api(`/crm/opportunities/${id}/convert`, { method: 'POST', body: {} })
      void message.success(t('crm.lead.converted'))
      await client.invalidateQueries({ queryKey: ['record', OPPORTUNITY, id] })
      await refreshCrm(client)
    } catch (err) {
      setError((err as Error).message)
    } finally {
      setBusy(false)
    }
  }
  return (
    <Alert
      type={error ? 'error' : 'info'}
      showIcon
      title={error ?? t('crm.lead.text')}
      data-testid="lead-banner"
      action={
        <Button type="primary" loading={busy} onClick={() => void convert()} data-testid="lead-convert">
          {t('crm.lead.convert')}
        </Button>
      }
    />
  )
}
