import { useQuery } from '@tanstack/react-query'
import { api } from './client.ts'
import type { Company, EntityMeta, EntitySummary, Membership, MenuEntry, ModuleState } from './types.ts'

/** The shared reads of the shell and the generic views, cached by TanStack Query. */

export const useMenus = () =>
  useQuery({ queryKey: ['menus'], queryFn: () => api<{ data: MenuEntry[] }>('/menus').then((r) => r.data) })

export const useMembership = () =>
  useQuery({ queryKey: ['membership'], queryFn: () => api<Membership>('/members/me') })

export const useEntities = () =>
  useQuery({
    queryKey: ['entities'],
    queryFn: () => api<{ data: EntitySummary[] }>('/meta/entities').then((r) => r.data),
  })

export const useEntityMeta = (key: string | undefined) =>
  useQuery({
    queryKey: ['entity', key],
    queryFn: () => api<EntityMeta>(`/meta/entities/${encodeURIComponent(key as string)}`),
    enabled: key !== undefined,
  })

export const useCompanies = () =>
  useQuery({
    queryKey: ['companies'],
    queryFn: () => api<{ data: Company[] }>('/companies').then((r) => r.data),
  })

export const useModules = () =>
  useQuery({
    queryKey: ['modules'],
    queryFn: () => api<{ data: ModuleState[] }>('/modules').then((r) => r.data),
  })

/** Whether the member holds a permission (`*` grants all, `module.*` a module's). */
export function holds(membership: Membership | undefined, permission: string): boolean {
  if (!membership) return false
  return membership.permissions.some(
    (p) => p === '*' || p === permission || (p.endsWith('*') && permission.startsWith(p.slice(0, -1))),
  )
}

/** The API path of an entity's records, relative to /api/v1. */
export const recordsPath = (entity: { path: string }) => entity.path.replace(/^\/api\/v1/, '')
