import { Spin } from 'antd'
import { Navigate, Route, Routes, useParams } from 'react-router'
import { useEntityMeta } from '../../api/queries.ts'
import { ErrorPage } from '../../app/ErrorPage.tsx'
import { MenuPathPage } from '../../app/MenuPathPage.tsx'
import { RecordForm } from '../../views/RecordForm.tsx'
import { OPPORTUNITY } from './api.ts'
import { FocusPage } from './FocusPage.tsx'
import { OpportunityPage } from './OpportunityPage.tsx'
import { PartnerOverviewPage } from './PartnerOverviewPage.tsx'
import { PipelinePage } from './PipelinePage.tsx'
import { WeightsPage } from './WeightsPage.tsx'

/**
 * The CRM's hand-written screens under /crm (the focus page is its start page); any other /crm
 * path is an ordinary menu path, drawn from metadata.
 */
export function CrmRoutes() {
  return (
    <Routes>
      <Route index element={<Navigate to="focus" replace />} />
      <Route path="focus" element={<FocusPage />} />
      <Route path="pipeline" element={<PipelinePage />} />
      <Route path="leads" element={<Navigate to={`/e/${OPPORTUNITY}`} replace />} />
      <Route path="partners/:id" element={<PartnerOverviewPage />} />
      <Route path="settings" element={<WeightsPage />} />
      {/* where the assignee's notification points */}
      <Route path="activities/:id" element={<ActivityRedirect />} />
      <Route path="*" element={<MenuPathPage />} />
    </Routes>
  )
}

function ActivityRedirect() {
  const { id } = useParams()
  return <Navigate to={`/e/crm.activity/${id}`} replace />
}

/** /e/crm.opportunity/:id: a deal with the CRM's panels; a new deal is the plain generic form. */
export function OpportunityRoute() {
  const { id } = useParams()
  const meta = useEntityMeta(OPPORTUNITY)
  if (meta.error) return <ErrorPage error={meta.error} />
  if (!meta.data) return <Spin />
  if (!id || id === 'new') return <RecordForm key="new" meta={meta.data} />
  return <OpportunityPage key={id} meta={meta.data} id={id} />
}
