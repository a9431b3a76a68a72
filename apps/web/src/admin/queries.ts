import { useQuery } from '@tanstack/react-query'
import { api } from '../api/client.ts'
import type { PermissionInfo, Role } from './types.ts'

/** The administration screens' shared reads, cached by TanStack Query. */

export const useRoles = (enabled = true) =>
  useQuery({
    queryKey: ['roles'],
    queryFn: () => api<{ data: Role[] }>('/roles').then((r) => r.data),
    enabled,
  })

export const usePermissionCatalogue = () =>
  useQuery({
    queryKey: ['permissions'],
    queryFn: () => api<{ data: PermissionInfo[] }>('/permissions').then((r) => r.data),
  })
