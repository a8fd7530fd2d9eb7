import { describe, expect, test } from 'vitest'
import { deliveredParts, fileSize, hoursToMinutes, minutesToHours, progressPercent, yearTerm } from './agreements'

describe('agreements', () => {
  test('hours typed become minutes; blanks and negatives are none', () => {
    expect(hoursToMinutes(10)).toBe(600)
    expect(hoursToMinutes(1.5)).toBe(90)
    expect(hoursToMinutes(0.01)).toBe(1)
    expect(hoursToMinutes(0)).toBe(0)
    expect(hoursToMinutes(undefined)).toBeNull()
    expect(hoursToMinutes(null)).toBeNull()
    expect(hoursToMinutes(Number.NaN)).toBeNull()
    expect(hoursToMinutes(-1)).toBeNull()
  })
  test('minutes become hours with one decimal', () => {
    expect(minutesToHours(600)).toBe(10)
    expect(minutesToHours(90)).toBe(1.5)
    expect(minutesToHours(100)).toBe(1.7)
    expect(minutesToHours(0)).toBe(0)
    expect(minutesToHours(null)).toBe(0)
    expect(hoursToMinutes(minutesToHours(600))).toBe(600)
  })
  test('progress percent is clamped and none stays none', () => {
    expect(progressPercent(0.5)).toBe(50)
    expect(progressPercent(0.333)).toBe(33)
    expect(progressPercent(1)).toBe(100)
    expect(progressPercent(1.4)).toBe(100)
    expect(progressPercent(-0.2)).toBe(0)
    expect(progressPercent(0)).toBe(0)
    expect(progressPercent(null)).toBeNull()
    expect(progressPercent(undefined)).toBeNull()
  })
  test('delivered / target shows the targets set, or what was delivered without one', () => {
    expect(deliveredParts({ target_orders: 6, target_minutes: null, delivered_orders: 2, delivered_minutes: 90 })).toEqual([{ kind: 'orders', delivered: 2, target: 6 }])
    expect(deliveredParts({ target_orders: null, target_minutes: 600, delivered_orders: 2, delivered_minutes: 90 })).toEqual([{ kind: 'hours', delivered: 1.5, target: 10 }])
    expect(deliveredParts({ target_orders: 3, target_minutes: 120, delivered_orders: 1, delivered_minutes: 60 })).toHaveLength(2)
    expect(deliveredParts({ delivered_orders: 4, delivered_minutes: 0 })).toEqual([
      { kind: 'orders', delivered: 4, target: null },
      { kind: 'hours', delivered: 0, target: null },
    ])
  })
  test('the default term is the calendar year', () => {
    expect(yearTerm(new Date(2026, 10, 23))).toEqual({ starts_on: '2026-01-01', ends_on: '2026-12-31' })
  })
  test('file sizes read as B, KB, MB', () => {
    expect(fileSize(512)).toBe('512 B')
    expect(fileSize(12 * 1024)).toBe('12 KB')
    expect(fileSize(2.4 * 1024 * 1024)).toBe('2.4 MB')
  })
})
