import { describe, expect, it } from 'vitest'
import {
  actionMessage, actions, changedMarks, checkInOpen, checkOutOpen, cleanCode, colourHex, dayOf, groupByDay, hours, periodChoices, phase, secondsLeft,
  timeRange, yearRange,
} from './volunteers'

const at = (y: number, mo: number, d: number, h = 0, mi = 0) => new Date(y, mo - 1, d, h, mi).toISOString()

describe('hours', () => {
  it('shows minutes as hours with at most one decimal', () => {
    expect(hours(120)).toBe('2')
    expect(hours(90)).toBe('1.5')
    expect(hours(100)).toBe('1.7')
    expect(hours(5)).toBe('0.1')
    expect(hours(2)).toBe('0')
    expect(hours(0)).toBe('0')
    expect(hours(-120)).toBe('-2')
    expect(hours(-2)).toBe('0')
    expect(hours(98968)).toBe('1649.5')
    expect(hours(null)).toBe('0')
  })
})

describe('days and times', () => {
  it('groups activities by their local day, days in order', () => {
    const items = [
      { id: 'b', starts_at: at(2026, 11, 27, 9) },
      { id: 'a', starts_at: at(2026, 11, 26, 14) },
      { id: 'c', starts_at: at(2026, 11, 27, 14) },
      { id: 'd', starts_at: at(2026, 11, 26, 9) },
    ]
    const groups = groupByDay(items)
    expect(groups.map((g) => g.day)).toEqual(['2026-11-26', '2026-11-27'])
    expect(groups[0].items.map((i) => i.id)).toEqual(['a', 'd'])
    expect(groups[1].items.map((i) => i.id)).toEqual(['b', 'c'])
    expect(groupByDay([])).toEqual([])
  })
  it('writes a time range, with both days past midnight', () => {
    expect(timeRange(at(2026, 11, 26, 9), at(2026, 11, 26, 11))).toBe('2026-11-26 09:00–11:00')
    expect(timeRange(at(2026, 11, 26, 22), at(2026, 11, 27, 1, 30))).toBe('2026-11-26 22:00 – 2026-11-27 01:30')
    expect(dayOf(at(2026, 1, 1, 0, 5))).toBe('2026-01-01')
  })
})

describe('an activity over time', () => {
  const a = { status: 'scheduled' as const, starts_at: at(2026, 11, 26, 9), ends_at: at(2026, 11, 26, 11) }
  const t = (h: number, m = 0) => new Date(2026, 10, 26, h, m).getTime()
  it('has a phase', () => {
    expect(phase(a, t(8))).toBe('upcoming')
    expect(phase(a, t(9))).toBe('live')
    expect(phase(a, t(11))).toBe('live')
    expect(phase(a, t(11, 1))).toBe('ended')
    expect(phase({ ...a, status: 'closed' }, t(12))).toBe('closed')
    expect(phase({ ...a, status: 'cancelled' }, t(8))).toBe('cancelled')
  })
  it('opens check-in half an hour early and check-out until an hour after', () => {
    expect(checkInOpen(a, t(8, 29))).toBe(false)
    expect(checkInOpen(a, t(8, 30))).toBe(true)
    expect(checkInOpen(a, t(11))).toBe(true)
    expect(checkInOpen(a, t(11, 1))).toBe(false)
    expect(checkOutOpen(a, t(8, 59))).toBe(false)
    expect(checkOutOpen(a, t(12))).toBe(true)
    expect(checkOutOpen(a, t(12, 1))).toBe(false)
    expect(checkInOpen({ ...a, status: 'closed' }, t(10))).toBe(false)
  })
  it('offers the actions the API allows', () => {
    const signup = (over: object = {}) => ({
      activity_id: 'x', volunteer_id: 'v', name: 'n', status: 'confirmed' as const, signed_up_at: at(2026, 11, 20), credited_minutes: 0, ...over,
    })
    expect(actions({ ...a, my_signup: null }, t(8))).toEqual(['signUp'])
    expect(actions({ ...a, my_signup: signup({ status: 'cancelled' }) }, t(8))).toEqual(['signUp'])
    expect(actions({ ...a, my_signup: signup() }, t(7))).toEqual(['withdraw'])
    expect(actions({ ...a, my_signup: signup() }, t(8, 45))).toEqual(['withdraw', 'checkIn'])
    expect(actions({ ...a, my_signup: signup({ status: 'waitlisted', waitlist_position: 2 }) }, t(8, 45))).toEqual(['withdraw'])
    expect(actions({ ...a, my_signup: signup() }, t(10))).toEqual(['checkIn'])
    expect(actions({ ...a, my_signup: signup({ checked_in_at: at(2026, 11, 26, 9) }) }, t(10))).toEqual(['checkOut'])
    expect(actions({ ...a, my_signup: signup({ checked_in_at: at(2026, 11, 26, 9), checked_out_at: at(2026, 11, 26, 10) }) }, t(10))).toEqual([])
    expect(actions({ ...a, my_signup: null }, t(12))).toEqual([])
    expect(actions({ ...a, status: 'closed', my_signup: null }, t(8))).toEqual([])
  })
})

describe('small things', () => {
  it('cleans a typed code', () => {
    expect(cleanCode('482 913')).toBe('482913')
    expect(cleanCode('48291')).toBeNull()
    expect(cleanCode(undefined)).toBeNull()
  })
  it('counts down to the next code', () => {
    expect(secondsLeft('2026-11-28T01:00:30Z', Date.parse('2026-11-28T01:00:05.500Z'))).toBe(25)
    expect(secondsLeft('2026-11-28T01:00:30Z', Date.parse('2026-11-28T01:01:00Z'))).toBe(0)
  })
  it('colours teams and lists periods', () => {
    expect(colourHex('orange')).toBe('#f57c00')
    expect(colourHex(null)).toBe('#909399')
    const p = periodChoices(new Date(2026, 10, 23))
    expect(p.years).toEqual(['2026', '2025'])
    expect(p.quarters[0]).toBe('2026-Q4')
    expect(p.months[0]).toBe('2026-11')
    expect(yearRange(2026)).toEqual({ from: '2026-01-01', to: '2026-12-31' })
  })
  it('sends only the marks that changed', () => {
    const rows = [
      { volunteer_id: 'a', status: 'confirmed', mark: 'present' as const },
      { volunteer_id: 'b', status: 'confirmed', mark: 'late' as const },
      { volunteer_id: 'c', status: 'confirmed', mark: '' as const },
      { volunteer_id: 'd', status: 'waitlisted', mark: 'absent' as const },
    ]
    expect(changedMarks(rows, { a: 'present', b: 'present' })).toEqual([{ volunteer_id: 'b', attendance: 'late' }])
  })
  it('prefers a known field error over the generic message', () => {
    const known = new Set(['errors.code_invalid', 'errors.validation_failed', 'errors.not_signed_up', 'errors.make_up_exceeds_activity'])
    const t = (k: string) => `T:${k}`
    const te = (k: string) => known.has(k)
    expect(actionMessage({ status: 422, code: 'validation_failed', errors: [{ field: 'code', code: 'code_invalid', message: 'wrong' }] }, t, te)).toBe('T:errors.code_invalid')
    expect(actionMessage({ status: 422, code: 'validation_failed', errors: [{ field: 'x', code: 'odd', message: 'odd' }] }, t, te)).toBe('T:errors.validation_failed')
    expect(actionMessage({ status: 409, code: 'not_signed_up', detail: 'sign up first' }, t, te)).toBe('T:errors.not_signed_up')
    // A conflict whose detail carries the numbers keeps it.
    expect(actionMessage({ status: 409, code: 'make_up_exceeds_activity', detail: '120 credited' }, t, te)).toBe('T:errors.make_up_exceeds_activity（120 credited）')
    expect(actionMessage(undefined, t, te)).toBe('T:errors.network')
  })
})
