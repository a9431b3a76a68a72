import { Flex, Spin } from 'antd'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { BrowserRouter, Navigate, Route, Routes, useLocation, useSearchParams } from 'react-router'
import { ApiKeysPage } from '../admin/ApiKeysPage.tsx'
import { CompanyPage } from '../admin/CompanyPage.tsx'
import { CustomFieldsPage } from '../admin/CustomFieldsPage.tsx'
import { MembersPage } from '../admin/MembersPage.tsx'
import { ModulesPage } from '../admin/ModulesPage.tsx'
import { RoleEditorPage } from '../admin/RoleEditorPage.tsx'
import { RolesPage } from '../admin/RolesPage.tsx'
import { SecurityLogPage } from '../admin/SecurityLogPage.tsx'
import { SecurityPage } from '../admin/SecurityPage.tsx'
import { SignInSettingsPage } from '../admin/SignInSettingsPage.tsx'
import { WebhookDeliveriesPage } from '../admin/WebhookDeliveriesPage.tsx'
import { WebhooksPage } from '../admin/WebhooksPage.tsx'
import { LoginPage, safeNext } from '../auth/LoginPage.tsx'
import { ResetConfirmPage, ResetRequestPage } from '../auth/ResetPages.tsx'
import { SignupPage } from '../auth/SignupPage.tsx'
import { useSession } from '../auth/session.tsx'
import { CrmRoutes, OpportunityRoute } from '../modules/crm/routes.tsx'
import { Shell } from '../shell/Shell.tsx'
import { EntityPage, RecordPage } from '../views/EntityPage.tsx'
import { HomePage } from './HomePage.tsx'
import { MenuPathPage } from './MenuPathPage.tsx'

function Loading() {
  const { t } = useTranslation()
  return (
    <Flex align="center" justify="center" style={{ minHeight: '100vh' }}>
      <Spin aria-label={t('app.loading')} />
    </Flex>
  )
}

/** Signed-in pages: without a session, to the sign-in screen, coming back here afterwards. */
function SignedIn({ children }: { children: ReactNode }) {
  const { me, loading } = useSession()
  const location = useLocation()
  if (loading) return <Loading />
  if (!me) {
    const next = encodeURIComponent(`${location.pathname}${location.search}`)
    return <Navigate to={`/login?next=${next}`} replace />
  }
  return <Shell>{children}</Shell>
}

/** Signed-out pages: a signed-in member goes where they were headed (`?next=`), else home. */
function SignedOut({ children }: { children: ReactNode }) {
  const { me, loading } = useSession()
  const [params] = useSearchParams()
  if (loading) return <Loading />
  return me ? <Navigate to={safeNext(params.get('next'))} replace /> : children
}

export function App() {
  return (
    <BrowserRouter>
      <Routes>
        <Route
          path="/login"
          element={
            <SignedOut>
              <LoginPage />
            </SignedOut>
          }
        />
        <Route
          path="/signup"
          element={
            <SignedOut>
              <SignupPage />
            </SignedOut>
          }
        />
        <Route
          path="/forgot-password"
          element={
            <SignedOut>
              <ResetRequestPage />
            </SignedOut>
          }
        />
        <Route path="/reset-password" element={<ResetConfirmPage />} />
        <Route
          path="/"
          element={
            <SignedIn>
              <HomePage />
            </SignedIn>
          }
        />
        <Route
          path="/e/:key"
          element={
            <SignedIn>
              <EntityPage />
            </SignedIn>
          }
        />
        <Route
          path="/crm/*"
          element={
            <SignedIn>
              <CrmRoutes />
            </SignedIn>
          }
        />
        <Route
          path="/e/crm.opportunity/:id"
          element={
            <SignedIn>
              <OpportunityRoute />
            </SignedIn>
          }
        />
        <Route
          path="/e/:key/:id"
          element={
            <SignedIn>
              <RecordPage />
            </SignedIn>
          }
        />
        <Route
          path="/settings/modules"
          element={
            <SignedIn>
              <ModulesPage />
            </SignedIn>
          }
        />
        <Route
          path="/settings/custom-fields"
          element={
            <SignedIn>
              <CustomFieldsPage />
            </SignedIn>
          }
        />
        <Route
          path="/settings/api-keys"
          element={
            <SignedIn>
              <ApiKeysPage />
            </SignedIn>
          }
        />
        <Route
          path="/settings/security"
          element={
            <SignedIn>
              <SecurityPage />
            </SignedIn>
          }
        />
        <Route
          path="/settings/members"
          element={
            <SignedIn>
              <MembersPage />
            </SignedIn>
          }
        />
        <Route
          path="/settings/roles"
          element={
            <SignedIn>
              <RolesPage />
            </SignedIn>
          }
        />
        <Route
          path="/settings/roles/:id"
          element={
            <SignedIn>
              <RoleEditorPage />
            </SignedIn>
          }
        />
        <Route
          path="/settings/webhooks"
          element={
            <SignedIn>
              <WebhooksPage />
            </SignedIn>
          }
        />
        <Route
          path="/settings/webhooks/:id"
          element={
            <SignedIn>
              <WebhookDeliveriesPage />
            </SignedIn>
          }
        />
        <Route
          path="/settings/security-log"
          element={
            <SignedIn>
              <SecurityLogPage />
            </SignedIn>
          }
        />
        <Route
          path="/settings/sign-in"
          element={
            <SignedIn>
              <SignInSettingsPage />
            </SignedIn>
          }
        />
        <Route
          path="/settings/company"
          element={
            <SignedIn>
              <CompanyPage />
            </SignedIn>
          }
        />
        <Route path="/index.html" element={<Navigate to="/" replace />} />
        <Route
          path="*"
          element={
            <SignedIn>
              <MenuPathPage />
            </SignedIn>
          }
        />
      </Routes>
    </BrowserRouter>
  )
}
