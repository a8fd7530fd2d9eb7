// Builds nested nodes from the flat, path-ordered lists that /regions/tree and /branches/tree return.
export interface Flat {
  id: string
  parent_id?: string | null
}

export type Node<T> = T & { children: Node<T>[] }

export function buildTree<T extends Flat>(items: T[]): Node<T>[] {
  const byId = new Map<string, Node<T>>()
  const roots: Node<T>[] = []
  for (const item of items) byId.set(item.id, { ...item, children: [] })
  for (const item of items) {
    const node = byId.get(item.id)!
    const parent = item.parent_id ? byId.get(item.parent_id) : undefined
    // A node whose parent is outside the caller's scope is a root of what they see.
    if (parent) parent.children.push(node)
    else roots.push(node)
  }
  return roots
}
