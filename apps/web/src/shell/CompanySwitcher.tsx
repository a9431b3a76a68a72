import { useMutation, useQueryClient } from '@tanstack/react-query'
import { App, Select } from 'antd'
import { useTranslation } from 'react-i18next'
import { api } from '../api/client.ts'
import { useMembership } from '../api/queries.ts'

/** The member's current company (the default for new records); shown only with several. */
export function CompanySwitcher({ block = false }: { block?: boolean }) {
  const { t } = useTranslation()
  const { message } = App.useApp()
  const client = useQueryClient()
  const membership = useMembership()
  const change = useMutation({
    mutationFn: (company_id: string) =>
      api('/members/me/current-company', { method: 'PUT', body: { company_id } }),
    onSuccess: () => client.invalidateQueries(),
    onError: (err) => void message.error(err.message),
  })
  const companies = membership.data?.companies ?? []
  if (companies.length < 2) return null
  return (
    <Select
      aria-label={t('shell.company')}
      value={membership.data?.current_company_id ?? undefined}
      onChange={(id) => change.mutate(id)}
      options={companies.map((c) => ({ value: c.id, label: c.name }))}
      style={{ minWidth: block ? '100%' : 180 }}
      data-testid="company-switcher"
    />
  )
}
