import { describe, expect, it } from 'vitest'
import { barState, barWidth, currentQuarter, periodName, recentMonths, recentQuarters } from './rates'

describe('attendance chart helpers', () => {
  it('labels quarters and walks back over New Year', () => {
    expect(currentQuarter(new Date(2026, 10, 23))).toBe('2026-Q4')
    expect(recentQuarters(3, new Date(2026, 1, 1))).toEqual(['2026-Q1', '2025-Q4', '2025-Q3'])
  })
  it('lists months newest first across New Year', () => {
    expect(recentMonths(3, new Date(2026, 1, 28))).toEqual(['2026-02', '2026-01', '2025-12'])
  })
  it('names periods in both languages', () => {
    expect(periodName('2026-Q4', 'zh-CN')).toBe('2026年第4季度')
    expect(periodName('2026-Q4', 'en')).toBe('Q4 2026')
    expect(periodName('2026-11', 'zh-CN')).toBe('2026年11月')
    expect(periodName('2026-11', 'en')).toBe('Nov 2026')
    expect(periodName('odd', 'en')).toBe('odd')
  })
  it('draws rates as bounded percentages and nothing for no meetings', () => {
    expect(barWidth(0.8)).toBe(80)
    expect(barWidth(0.8333)).toBe(83.3)
    expect(barWidth(1.2)).toBe(100)
    expect(barWidth(null)).toBe(0)
  })
  it('marks bars under the line and branches without meetings apart', () => {
    expect(barState({ attendance_rate: 0.9, below_target: false })).toBe('met')
    expect(barState({ attendance_rate: 0.8, below_target: false })).toBe('met')
    expect(barState({ attendance_rate: 0.62, below_target: true })).toBe('below')
    expect(barState({ attendance_rate: null, below_target: true })).toBe('none')
  })
})
