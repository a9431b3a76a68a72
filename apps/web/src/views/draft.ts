/**
 * Unsaved form values, kept in sessionStorage per page so that a session lost while editing
 * (sign in again, come back) does not lose the member's typing. Cleared once saved.
 */
const key = (page: string) => `tessera.draft:${page}`

export function readDraft(page: string): Record<string, unknown> | null {
  try {
    const text = sessionStorage.getItem(key(page))
    return text ? (JSON.parse(text) as Record<string, unknown>) : null
  } catch {
    return null
  }
}

export const saveDraft = (page: string, values: Record<string, unknown>) =>
  sessionStorage.setItem(key(page), JSON.stringify(values))

export const clearDraft = (page: string) => sessionStorage.removeItem(key(page))
