import { describe, expect, it } from 'vitest'
import { barWidth, currentQuarter, recentQuarters } from './rates'

describe('attendance chart helpers', () => {
  it('labels quarters and walks back over New Year', () => {
    expect(currentQuarter(new Date(2026, 10, 23))).toBe('2026-Q4')
    expect(recentQuarters(3, new Date(2026, 1, 1))).toEqual(['2026-Q1', '2025-Q4', '2025-Q3'])
  })
  it('draws rates as bounded percentages and nothing for no meetings', () => {
    expect(barWidth(0.8)).toBe(80)
    expect(barWidth(0.8333)).toBe(83.3)
    expect(barWidth(1.2)).toBe(100)
    expect(barWidth(null)).toBe(0)
  })
})
