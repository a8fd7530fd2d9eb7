import { describe, expect, it } from 'vitest'
import { DEFAULT_COLUMNS, daysToPartyBirthday, partyYears, restoreColumns, sortParam } from './roster'

describe('roster columns', () => {
  it('falls back to the defaults and drops unknown names', () => {
    expect(restoreColumns(null)).toEqual(DEFAULT_COLUMNS)
    expect(restoreColumns('not json')).toEqual(DEFAULT_COLUMNS)
    expect(restoreColumns('{"a":1}')).toEqual(DEFAULT_COLUMNS)
    expect(restoreColumns('["phone","nope","gender"]')).toEqual(['gender', 'phone'])
    expect(restoreColumns('[]')).toEqual([])
  })
})

describe('roster sorting', () => {
  it('maps table columns to API sort keys', () => {
    expect(sortParam('name', 'ascending')).toBe('name')
    expect(sortParam('joined_on', 'descending')).toBe('-joined_on')
    expect(sortParam('name', null)).toBeUndefined()
    expect(sortParam('phone', 'ascending')).toBeUndefined()
  })
  it('sorts by age through the birth date, reversed', () => {
    expect(sortParam('age', 'ascending')).toBe('-birth_date')
    expect(sortParam('age', 'descending')).toBe('birth_date')
  })
})

describe('party birthday', () => {
  const today = new Date(2026, 10, 23)
  it('counts whole years, not calendar years', () => {
    expect(partyYears('1998-11-26', today)).toBe(27)
    expect(partyYears('1998-11-23', today)).toBe(28)
    expect(partyYears('1998-01-01', today)).toBe(28)
    expect(partyYears('2026-12-01', today)).toBe(0)
  })
  it('counts the days to the next party birthday across New Year', () => {
    expect(daysToPartyBirthday('1998-11-26', today)).toBe(3)
    expect(daysToPartyBirthday('1998-11-23', today)).toBe(0)
    expect(daysToPartyBirthday('1998-01-01', today)).toBe(39)
  })
})
