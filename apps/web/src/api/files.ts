import { useQuery } from '@tanstack/react-query'
import { api, query } from './client.ts'

/**
 * Files attached to records (/api/v1/files): a file is as visible as its record, reading needs the
 * entity's read right and changing (upload, new version, archive) its update right. Uploads send
 * the file itself as the request body, named by `?filename=`.
 */

export interface FileInfo {
  id: string
  entity: string
  record_id: string
  name: string
  current_version: number
  size: number
  content_type: string
  sha256: string
  created_at: string
  created_by: string | null
  updated_at: string
  updated_by: string | null
  archived_at: string | null
}

export interface FileVersion {
  file_id: string
  version: number
  name: string
  size: number
  content_type: string
  sha256: string
  created_at: string
  created_by: string | null
}

/** The largest page the API gives; a record with more files than this shows the first ones. */
const PAGE = 500

export const filesKey = (entity: string, recordId: string) => ['files', entity, recordId]

export const useRecordFiles = (entity: string, recordId: string) =>
  useQuery({
    queryKey: filesKey(entity, recordId),
    queryFn: () =>
      api<{ data: FileInfo[] }>(`/files${query({ entity, record_id: recordId, limit: PAGE })}`).then(
        (r) => r.data,
      ),
    retry: false,
  })

export const useFile = (id: string | null | undefined) =>
  useQuery({
    queryKey: ['file', id],
    queryFn: () => api<FileInfo>(`/files/${id}`),
    enabled: !!id,
    retry: false,
  })

export const useFileVersions = (id: string) =>
  useQuery({
    queryKey: ['file', id, 'versions'],
    queryFn: () =>
      api<{ data: FileVersion[] }>(`/files/${id}/versions${query({ limit: PAGE })}`).then((r) => r.data),
  })

export const uploadFile = (entity: string, recordId: string, file: File) =>
  api<FileInfo>(`/files${query({ entity, record_id: recordId, filename: file.name })}`, {
    method: 'POST',
    file,
  })

export const uploadVersion = (id: string, file: File) =>
  api<FileInfo>(`/files/${id}/versions${query({ filename: file.name })}`, { method: 'POST', file })

export const archiveFile = (id: string) => api(`/files/${id}`, { method: 'DELETE' })

/** Where the browser downloads a version (the current one without `version`): same origin, the session cookie. */
export const contentHref = (id: string, version?: number) =>
  `/api/v1/files/${id}/content${query({ version })}`

/** 1536 → "1.5 KB", in the member's language's number format. */
export function formatSize(bytes: number, locale?: string): string {
  const units = ['B', 'KB', 'MB', 'GB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit += 1
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1
  return `${value.toLocaleString(locale, { maximumFractionDigits: digits })} ${units[unit]}`
}
