import type { MenuEntry } from './define.ts'

/** One entry of a member's menu tree, as GET /api/v1/menus returns it. */
export interface MenuNode {
  id: string
  label: string
  path: string | null
  icon: string | null
  order: number
  /** the module that declared it (`kernel` for the kernel's own) */
  module: string
  children: MenuNode[]
}

export interface MenuSource {
  module: string
  entries: readonly MenuEntry[]
}

const DEFAULT_ORDER = 100

/**
 * Nests the entries of the given sources (the kernel's and the tenant's active modules') into a
 * tree, keeping only what `canSee` allows. An entry under a hidden or absent parent is hidden with
 * it, and a group (no path) left without visible children disappears, so a member never sees an
 * empty folder. Siblings are ordered by `order`, then label.
 */
export function buildMenuTree(
  sources: readonly MenuSource[],
  canSee: (permission: string | undefined) => boolean,
): MenuNode[] {
  const nodes = new Map<string, { node: MenuNode; parent: string | undefined }>()
  for (const { module, entries } of sources) {
    for (const entry of entries) {
      if (!canSee(entry.permission)) continue
      const node: MenuNode = {
        id: entry.id,
        label: entry.label,
        path: entry.path ?? null,
        icon: entry.icon ?? null,
        order: entry.order ?? DEFAULT_ORDER,
        module,
        children: [],
      }
      nodes.set(entry.id, { node, parent: entry.parent })
    }
  }
  const roots: MenuNode[] = []
  for (const { node, parent } of nodes.values()) {
    if (parent === undefined) roots.push(node)
    else nodes.get(parent)?.node.children.push(node)
  }
  return prune(roots)
}

function prune(nodes: MenuNode[]): MenuNode[] {
  return nodes
    .map((node) => ({ ...node, children: prune(node.children) }))
    .filter((node) => node.path !== null || node.children.length > 0)
    .sort((a, b) => a.order - b.order || a.label.localeCompare(b.label) || a.id.localeCompare(b.id))
}
