import { describe, expect, test } from 'vitest'
import { buildTree } from './tree'

describe('buildTree', () => {
  test('nests children under parents in the given order', () => {
    const t = buildTree([
      { id: 'a', parent_id: null, name: 'A' },
      { id: 'b', parent_id: 'a', name: 'B' },
      { id: 'c', parent_id: 'b', name: 'C' },
      { id: 'd', parent_id: 'a', name: 'D' },
    ])
    expect(t).toHaveLength(1)
    expect(t[0].children.map((n) => n.id)).toEqual(['b', 'd'])
    expect(t[0].children[0].children[0].name).toBe('C')
  })
  test('a node whose parent is out of scope becomes a root', () => {
    const t = buildTree([
      { id: 'x', parent_id: 'hidden' },
      { id: 'y', parent_id: 'x' },
    ])
    expect(t.map((n) => n.id)).toEqual(['x'])
    expect(t[0].children.map((n) => n.id)).toEqual(['y'])
  })
})
