import { describe, expect, it } from 'vitest'
import {
  changed,
  communitiesOf,
  draftsOf,
  entriesOf,
  entryErrors,
  goodsOf,
  gradeType,
  mayEnter,
  score,
  startCommunity,
  unscored,
  yearChoices,
  yearFrom,
  type Assessment,
  type Grant,
  type Item,
} from './assessments'

const item = (o: Partial<Item>): Item => ({ key: 'k', good: 'leadership', label: 'k', max_score: 10, source: 'entered', score: null, ...o }) as Item
const sheet: Assessment = {
  id: null,
  community_id: 'c1',
  community_name: '斜桥巷社区',
  year: 2026,
  status: 'draft',
  items: [
    item({ key: 'cadre_satisfaction', source: 'computed', score: 0, value: null, target: 0.9 }),
    item({ key: 'leadership_building', score: 8, note: '分工明确' }),
    item({ key: 'meeting_attendance', good: 'cadre_team', source: 'computed', score: 9.3, value: 0.7456, target: 0.8 }),
    item({ key: 'cadre_conduct', good: 'cadre_team' }),
  ],
  goods: [
    { good: 'cadre_team', label: '党员干部队伍好', score: 9.3, max_score: 20 },
    { good: 'leadership', label: '领导班子好', score: 8, max_score: 20 },
  ],
  total: 17.3,
  grade: 'fail',
  missing: ['cadre_conduct'],
  version: 1,
}
const grant = (role: string, scope_id: string | null = 'c1') => ({ id: role, role, scope_type: 'region', scope_id, scope_name: '' }) as unknown as Grant

describe('the sheet', () => {
  it('groups items under the goods in the five-good order', () => {
    const goods = goodsOf(sheet)
    expect(goods.map((g) => g.good)).toEqual(['leadership', 'cadre_team'])
    expect(goods[0].items.map((i) => i.key)).toEqual(['cadre_satisfaction', 'leadership_building'])
    expect(goods[1]).toMatchObject({ label: '党员干部队伍好', score: 9.3, max_score: 20 })
  })
  it('lets street staff and admin enter, not community staff', () => {
    expect(mayEnter([grant('street_staff')])).toBe(true)
    expect(mayEnter([grant('admin', null)])).toBe(true)
    expect(mayEnter([grant('community_staff')])).toBe(false)
    expect(mayEnter(undefined)).toBe(false)
  })
  it('offers the communities seen and opens on the asked one, the own one, or the first', () => {
    const list = communitiesOf([
      { id: 's', name: '新丰街街道', level: 'street' },
      { id: 'c1', name: '斜桥巷社区', level: 'community' },
      { id: 'c2', name: '新丰街社区', level: 'community' },
    ])
    expect(list.map((c) => c.id)).toEqual(['c1', 'c2'])
    expect(startCommunity('c2', [grant('street_staff', 's')], list)).toBe('c2')
    expect(startCommunity('elsewhere', [grant('community_staff', 'c2')], list)).toBe('c2')
    expect(startCommunity('', [grant('street_staff', 's')], list)).toBe('c1')
    expect(startCommunity('', [], [])).toBe('')
  })
  it('offers this year and the four before, and reads only years the API takes', () => {
    expect(yearChoices(2026)).toEqual([2026, 2025, 2024, 2023, 2022])
    expect(yearFrom('2024', 2026)).toBe(2024)
    expect(yearFrom('2027', 2026)).toBe(2026)
    expect(yearFrom('1999', 2026)).toBe(2026)
    expect(yearFrom(undefined, 2026)).toBe(2026)
  })
})

describe('entering scores', () => {
  it('drafts only the entered items and sends those with a score', () => {
    const d = draftsOf(sheet)
    expect(Object.keys(d)).toEqual(['leadership_building', 'cadre_conduct'])
    expect(entriesOf(d)).toEqual([{ key: 'leadership_building', score: 8, note: '分工明确' }])
    d.cadre_conduct = { score: 7.5, note: '  ' }
    expect(entriesOf(d)).toEqual([
      { key: 'leadership_building', score: 8, note: '分工明确' },
      { key: 'cadre_conduct', score: 7.5, note: null },
    ])
  })
  it('knows when drafts differ from the saved sheet and what is still unscored', () => {
    const d = draftsOf(sheet)
    expect(changed(sheet, d)).toBe(false)
    expect(unscored(sheet, d).map((i) => i.key)).toEqual(['cadre_conduct'])
    d.cadre_conduct.score = 6
    expect(changed(sheet, d)).toBe(true)
    expect(unscored(sheet, d)).toEqual([])
    d.cadre_conduct.score = null
    d.leadership_building.note = '分工明确 '
    expect(changed(sheet, d)).toBe(false)
  })
  it('puts a save’s field errors on the items sent at those indexes', () => {
    const sent = [{ key: 'leadership_building' }, { key: 'cadre_conduct' }]
    const p = { status: 422, errors: [{ field: 'entries[1].score', code: 'out_of_range', message: 'at most 10' }, { field: 'finalize', code: 'incomplete', message: 'x' }] }
    expect(entryErrors(p, sent)).toEqual({ cadre_conduct: 'at most 10' })
    expect(entryErrors(p, sent, (c) => (c === 'out_of_range' ? '超出允许的范围' : null))).toEqual({ cadre_conduct: '超出允许的范围' })
    expect(entryErrors(undefined, sent)).toEqual({})
  })
  it('colours grades and prints scores', () => {
    expect(gradeType('excellent')).toBe('success')
    expect(gradeType('fail')).toBe('danger')
    expect(score(9.25)).toBe('9.3')
    expect(score(10)).toBe('10')
    expect(score(null)).toBe('—')
  })
})
