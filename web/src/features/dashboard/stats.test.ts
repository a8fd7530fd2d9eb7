import { describe, expect, it } from 'vitest'
import { barOption, lineOption, pieOption } from './charts'
import {
  NO_DATA,
  belowLine,
  bucketLabel,
  buckets,
  colourOf,
  dashboardQuery,
  figureLink,
  fileNameOf,
  homeRegion,
  landing,
  measureValue,
  ordered,
  percent,
  periodFrom,
  presetOf,
  presetRange,
  regionPath,
  streetToday,
  screenOf,
  seesDashboard,
  type Child,
  type Grant,
} from './stats'

const TODAY = '2026-11-23'
const grant = (role: string, scope_type = 'region', scope_id: string | null = 'r1', scope_name = '新丰街街道') =>
  ({ id: `g-${role}`, role, scope_type, scope_id, scope_name }) as unknown as Grant
const child = (o: Partial<Child>): Child => ({ id: 'c', name: 'c', level: 'grid', members: 0, households: 0, concerns: 0, concerns_open: 0, ...o })

describe('periods', () => {
  it('gives this year, quarter and month so far, and all of last year', () => {
    expect(presetRange('year', TODAY)).toEqual({ from: '2026-01-01', to: TODAY })
    expect(presetRange('quarter', TODAY)).toEqual({ from: '2026-10-01', to: TODAY })
    expect(presetRange('quarter', '2026-03-31')).toEqual({ from: '2026-01-01', to: '2026-03-31' })
    expect(presetRange('month', TODAY)).toEqual({ from: '2026-11-01', to: TODAY })
    expect(presetRange('lastYear', TODAY)).toEqual({ from: '2025-01-01', to: '2025-12-31' })
  })
  it('recognises a preset, else custom', () => {
    expect(presetOf({ from: '2026-01-01', to: TODAY }, TODAY)).toBe('year')
    expect(presetOf({ from: '2025-01-01', to: '2025-12-31' }, TODAY)).toBe('lastYear')
    expect(presetOf({ from: '2026-02-03', to: '2026-05-06' }, TODAY)).toBe('custom')
  })
  it('reads the address: this year by default, never a day to come, never from after to', () => {
    expect(periodFrom({}, TODAY)).toEqual({ from: '2026-01-01', to: TODAY })
    expect(periodFrom({ from: '2026-03-01', to: '2026-06-30' }, TODAY)).toEqual({ from: '2026-03-01', to: '2026-06-30' })
    expect(periodFrom({ to: '2027-01-01' }, TODAY)).toEqual({ from: '2026-01-01', to: TODAY })
    expect(periodFrom({ to: '2025-06-30' }, TODAY)).toEqual({ from: '2025-01-01', to: '2025-06-30' })
    expect(periodFrom({ from: '2026-07-01', to: '2026-06-30' }, TODAY)).toEqual({ from: '2026-01-01', to: '2026-06-30' })
    expect(periodFrom({ from: 'yesterday', to: 42 }, TODAY)).toEqual({ from: '2026-01-01', to: TODAY })
  })
  it('tells the day in the street (UTC+8), whatever the browser\'s zone', () => {
    expect(streetToday(new Date('2026-11-23T15:59:00Z'))).toBe('2026-11-23')
    expect(streetToday(new Date('2026-11-23T16:00:00Z'))).toBe('2026-11-24')
    expect(streetToday(new Date('2026-12-31T20:00:00Z'))).toBe('2027-01-01')
    expect(streetToday(new Date('2026-11-23T16:00:00Z'), 0)).toBe('2026-11-23')
  })
  it('keeps the period in the address only when it is not this year', () => {
    expect(dashboardQuery('r1', null, { from: '2026-01-01', to: TODAY }, TODAY)).toEqual({ region_id: 'r1' })
    expect(dashboardQuery('r1', 'g1', { from: '2025-01-01', to: '2025-12-31' }, TODAY)).toEqual({ region_id: 'r1', grid: 'g1', from: '2025-01-01', to: '2025-12-31' })
  })
})

describe('who sees what', () => {
  it('starts at the first region grant; admin and branch secretaries have none', () => {
    expect(homeRegion([grant('street_staff')])).toEqual({ id: 'r1', name: '新丰街街道' })
    expect(homeRegion([grant('admin', 'global', null)])).toBeNull()
    expect(homeRegion([grant('branch_secretary', 'branch', 'b1')])).toBeNull()
  })
  it('lands staff on the dashboard and keeps the others where they were', () => {
    expect(landing([grant('street_staff')])).toBe('/dashboard')
    expect(landing([grant('community_staff')])).toBe('/dashboard')
    expect(landing([grant('admin', 'global', null)])).toBe('/dashboard')
    expect(landing([grant('grid_worker', 'grid')])).toBe('/my-grid')
    expect(landing([grant('resident', 'global', null)])).toBe('/volunteer')
    expect(landing([grant('branch_secretary', 'branch')])).toBe('/regions')
    expect(landing([])).toBe('/regions')
    expect(seesDashboard([grant('member', 'global', null)])).toBe(false)
  })
  it('walks a region up to the top one the caller sees', () => {
    const regions = [
      { id: 'd', parent_id: null, name: '区' },
      { id: 's', parent_id: 'd', name: '街道' },
      { id: 'c', parent_id: 's', name: '社区' },
    ]
    expect(regionPath(regions, 'c').map((r) => r.id)).toEqual(['d', 's', 'c'])
    expect(regionPath(regions.slice(1), 'c').map((r) => r.id)).toEqual(['s', 'c'])
    expect(regionPath(regions, 'nope')).toEqual([])
  })
})

describe('the map', () => {
  it('colours rates by fixed steps and grey when unknown', () => {
    const b = buckets('coverage_rate', [0.5, 1])
    expect(colourOf(0.5, b)).toBe('#d32f2f')
    expect(colourOf(0.85, b)).toBe('#9ccc65')
    expect(colourOf(1, b)).toBe('#2e7d32')
    expect(colourOf(null, b)).toBe(NO_DATA)
    expect(b.map((x) => bucketLabel(x, 'coverage_rate'))).toEqual(['< 60%', '60–80%', '80–90%', '≥ 90%'])
  })
  it('colours counts in four steps up to the largest', () => {
    const b = buckets('members', [0, 10, 42])
    expect(b.map((x) => bucketLabel(x, 'members'))).toEqual(['0–10', '11–21', '22–32', '≥ 33'])
    expect(colourOf(0, b)).toBe(b[0].colour)
    expect(colourOf(42, b)).toBe(b[3].colour)
    expect(buckets('concerns', [0, 0])).toHaveLength(1)
  })
  it('reads a measure of a row', () => {
    expect(measureValue(child({ coverage_rate: 0.9 }), 'coverage_rate')).toBe(0.9)
    expect(measureValue(child({ coverage_rate: null }), 'coverage_rate')).toBeNull()
    expect(measureValue(undefined, 'members')).toBeNull()
    expect(measureValue(child({ households: 27 }), 'households')).toBe(27)
  })
})

describe('figures and links', () => {
  it('formats rates and the 80 % line', () => {
    expect(percent(0.7085)).toBe('70.9%')
    expect(percent(null)).toBe('—')
    expect(belowLine(0.79)).toBe(true)
    expect(belowLine(0.8)).toBe(false)
    expect(belowLine(null)).toBe(false)
  })
  it('links a figure to its list, with the region where the list takes one', () => {
    const street = { id: 's', level: 'street' }
    const community = { id: 'c', level: 'community' }
    expect(figureLink('concerns', street)).toEqual({ path: '/concerns' })
    expect(figureLink('concerns', community)).toEqual({ path: '/concerns', query: { region_id: 'c' } })
    expect(figureLink('orders', community)).toEqual({ path: '/service-orders/board', query: { region_id: 'c' } })
    expect(figureLink('orders', { id: 'd', level: 'district' })).toEqual({ path: '/service-orders/board' })
    expect(figureLink('members', street, { category: 'retired' })).toEqual({ path: '/members', query: { category: 'retired' } })
    expect(figureLink('meetings', street)).toEqual({ path: '/meetings/rates' })
    expect(figureLink('polls', community)).toEqual({ path: '/polls', query: { community_id: 'c' } })
  })
  it('turns the API evidence links into screens', () => {
    expect(screenOf('/api/v1/meetings/attendance-rates?region_id=c&from=2026-01-01&to=2026-11-23')).toEqual({ path: '/meetings/rates' })
    expect(screenOf('/api/v1/concerns?region_id=c&from=2026-01-01')).toEqual({ path: '/concerns', query: { region_id: 'c' } })
    expect(screenOf('/api/v1/households/coverage?region_id=c')).toEqual({ path: '/coverage' })
    expect(screenOf('/api/v1/service-orders?community_id=c&status=rated')).toEqual({ path: '/service-orders/board', query: { region_id: 'c' } })
    expect(screenOf('/api/v1/polls?community_id=c&status=closed')).toEqual({ path: '/polls', query: { community_id: 'c', status: 'closed' } })
    expect(screenOf('/api/v1/unknown')).toBeNull()
    expect(screenOf(null)).toBeNull()
  })
  it('takes the export name from Content-Disposition', () => {
    expect(fileNameOf('attachment; filename="tongxin-stats-2026-01-01-2026-11-23.xlsx"', 'x.xlsx')).toBe('tongxin-stats-2026-01-01-2026-11-23.xlsx')
    expect(fileNameOf("attachment; filename*=UTF-8''%E6%95%B0%E6%8D%AE.xlsx", 'x.xlsx')).toBe('数据.xlsx')
    expect(fileNameOf(null, 'x.xlsx')).toBe('x.xlsx')
  })
  it('orders count maps: the known keys first, then the rest', () => {
    expect(ordered({ rated: 3, ordered: 1, odd: 2 }, ['ordered', 'dispatched', 'rated'])).toEqual([
      ['ordered', 1],
      ['rated', 3],
      ['odd', 2],
    ])
    expect(ordered(undefined, ['a'])).toEqual([])
  })
})

describe('charts', () => {
  const slices = [
    { key: 'direct', name: '直管党员', value: 274 },
    { key: 'retired', name: '离退休党员', value: 542 },
  ]
  it('puts the slices and bars in', () => {
    const pie = pieOption(slices, false) as { series: { data: { name: string; value: number }[] }[] }
    expect(pie.series[0].data.map((d) => d.value)).toEqual([274, 542])
    const bar = barOption(slices, true) as { xAxis: { data: string[] }; series: { data: number[] }[] }
    expect(bar.xAxis.data).toEqual(['直管党员', '离退休党员'])
    expect(bar.series[0].data).toEqual([274, 542])
  })
  it('draws four lines, hours on the second axis', () => {
    const months = [{ month: '2026-01', orders: 1, orders_completed: 0, concerns: 2, concerns_closed: 0, visits: 3, hours: 40.5, meetings: 0, members_joined: 0, wishes: 0 }]
    const o = lineOption(months, { orders: 'o', concerns: 'c', visits: 'v', hours: 'h' }, (m) => m.slice(5), false) as {
      xAxis: { data: string[] }
      series: { name: string; yAxisIndex: number; data: number[] }[]
    }
    expect(o.xAxis.data).toEqual(['01'])
    expect(o.series.map((s) => [s.name, s.yAxisIndex, s.data[0]])).toEqual([
      ['o', 0, 1],
      ['c', 0, 2],
      ['v', 0, 3],
      ['h', 1, 40.5],
    ])
  })
})
