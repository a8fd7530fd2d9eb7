import { describe, expect, it } from 'vitest'
import { dateTime, day } from './format'

describe('date formatting', () => {
  it('shows instants in local time', () => {
    const d = new Date(2026, 10, 23, 9, 4)
    expect(dateTime(d.toISOString())).toBe('2026-11-23 09:04')
    expect(day(d.toISOString())).toBe('2026-11-23')
  })
  it('passes odd values through', () => {
    expect(dateTime(null)).toBe('—')
    expect(dateTime('not a date')).toBe('not a date')
  })
})
