import { describe, expect, it } from 'vitest'
import { entries, markAllPresent, missingReasons, tally, toRows, type SheetRow } from './attendance'

const rows = (): SheetRow[] =>
  toRows([
    { member_id: 'a', member_name: '甲', status: 'unrecorded' },
    { member_id: 'b', member_name: '乙', status: 'absent' },
    { member_id: 'c', member_name: '丙', status: 'excused', reason: '出差' },
    { member_id: 'd', member_name: '丁', status: 'unrecorded' },
  ])

describe('attendance sheet', () => {
  it('marks everyone present but keeps excused absences', () => {
    const r = rows()
    markAllPresent(r)
    expect(r.map((x) => x.status)).toEqual(['present', 'present', 'excused', 'present'])
    expect(tally(r)).toEqual({ present: 3, absent: 0, excused: 1, unrecorded: 0 })
  })
  it('sends only marked rows, with reasons only for excused ones', () => {
    const r = rows()
    r[1].reason = 'stale'
    expect(entries(r)).toEqual([
      { member_id: 'b', status: 'absent', reason: undefined },
      { member_id: 'c', status: 'excused', reason: '出差' },
    ])
  })
  it('finds excused absences without a reason', () => {
    const r = rows()
    r[0].status = 'excused'
    r[0].reason = '   '
    expect(missingReasons(r)).toEqual(['a'])
  })
})
