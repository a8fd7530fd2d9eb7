import { describe, expect, it } from 'vitest'
import { claimedPercent, claimPeriod, communitiesOf, evidenceLines, groupByStatus, isLink, ORDER_STATES, overdue, stars, statusType, SubmitKey } from './services'

describe('groupByStatus', () => {
  it('puts every order under its state, keeping order, with every state present', () => {
    const g = groupByStatus([
      { id: 'a', status: 'ordered' as const },
      { id: 'b', status: 'rated' as const },
      { id: 'c', status: 'ordered' as const },
    ])
    expect(Object.keys(g)).toEqual(ORDER_STATES)
    expect(g.ordered.map((o) => o.id)).toEqual(['a', 'c'])
    expect(g.rated.map((o) => o.id)).toEqual(['b'])
    expect(g.cancelled).toEqual([])
  })
})

describe('stars', () => {
  it('shows filled and empty stars out of five', () => {
    expect(stars(3)).toBe('★★★☆☆')
    expect(stars(5)).toBe('★★★★★')
    expect(stars(1)).toBe('★☆☆☆☆')
  })
  it('clamps odd values and shows nothing without a rating', () => {
    expect(stars(9)).toBe('★★★★★')
    expect(stars(-1)).toBe('☆☆☆☆☆')
    expect(stars(null)).toBe('')
    expect(stars(undefined)).toBe('')
  })
})

describe('orders', () => {
  it('is overdue when either due time passed', () => {
    expect(overdue({ accept_overdue: true, complete_overdue: false })).toBe(true)
    expect(overdue({ accept_overdue: false, complete_overdue: true })).toBe(true)
    expect(overdue({ accept_overdue: false, complete_overdue: false })).toBe(false)
  })
  it('colours states', () => {
    expect(statusType('ordered')).toBe('danger')
    expect(statusType('rated')).toBe('success')
    expect(statusType('cancelled')).toBe('info')
  })
})

describe('evidence', () => {
  it('takes one item a line, trimmed', () => {
    expect(evidenceLines(' 已上门测量 \n\n https://x.example/a.jpg\r\n')).toEqual(['已上门测量', 'https://x.example/a.jpg'])
    expect(evidenceLines('  ')).toEqual([])
  })
  it('tells links from notes', () => {
    expect(isLink('https://x.example/a.jpg')).toBe(true)
    expect(isLink('photo-1.jpg')).toBe(false)
  })
})

describe('SubmitKey', () => {
  it('reuses the key while the same body is retried and makes a new one after success or a change', () => {
    let n = 0
    const k = new SubmitKey(() => `k${++n}`)
    const body = { menu_item_id: 'm', description: 'x' }
    expect(k.for(body)).toBe('k1')
    expect(k.for({ ...body })).toBe('k1')
    expect(k.for({ ...body, description: 'y' })).toBe('k2')
    k.done()
    expect(k.for({ ...body, description: 'y' })).toBe('k3')
  })
})

describe('lists', () => {
  it('collects communities by first appearance', () => {
    expect(
      communitiesOf([
        { community_id: '2', community_name: 'B' },
        { community_id: '1', community_name: 'A' },
        { community_id: '2', community_name: 'B' },
      ]),
    ).toEqual([
      { id: '2', name: 'B' },
      { id: '1', name: 'A' },
    ])
  })
  it('computes claimed share and claim periods', () => {
    expect(claimedPercent(2, 4)).toBe(50)
    expect(claimedPercent(5, 4)).toBe(100)
    expect(claimedPercent(1, 0)).toBe(0)
    expect(claimPeriod(2026, new Date(2026, 10, 5))).toEqual({ starts_on: '2026-11-05', ends_on: '2026-12-31' })
    expect(claimPeriod(2027, new Date(2026, 10, 5))).toEqual({ starts_on: '2027-01-01', ends_on: '2027-12-31' })
  })
})
