// Pure helpers of the roster and a member's own page: the column chooser kept in localStorage,
// table sorting mapped to the API's `sort`, and party-birthday arithmetic.

export const COLUMNS = ['gender', 'age', 'birthDate', 'branch', 'category', 'joinedOn', 'idNumber', 'phone', 'education', 'workUnit', 'status'] as const
export type Column = (typeof COLUMNS)[number]
export const DEFAULT_COLUMNS: Column[] = ['gender', 'age', 'branch', 'category', 'joinedOn', 'idNumber']
export const COLUMNS_KEY = 'tongxin.members.columns'

/** The columns saved in this browser, ignoring unknown names and unreadable values. */
export function restoreColumns(raw: string | null): Column[] {
  if (!raw) return [...DEFAULT_COLUMNS]
  try {
    const parsed: unknown = JSON.parse(raw)
    if (!Array.isArray(parsed)) return [...DEFAULT_COLUMNS]
    return COLUMNS.filter((c) => parsed.includes(c))
  } catch {
    return [...DEFAULT_COLUMNS]
  }
}

/**
 * The API's `sort` for an el-table sort-change. Age sorts by birth date the other way round
 * (the oldest member has the earliest birth date).
 */
export function sortParam(prop: string | null | undefined, order: 'ascending' | 'descending' | null | undefined): string | undefined {
  if (!prop || !order) return undefined
  const key = { name: 'name', joined_on: 'joined_on', age: 'birth_date', birth_date: 'birth_date' }[prop]
  if (!key) return undefined
  const descending = (order === 'descending') !== (prop === 'age')
  return `${descending ? '-' : ''}${key}`
}

function parts(date: string): [number, number, number] {
  const [y, m, d] = date.slice(0, 10).split('-').map(Number)
  return [y, m, d]
}

/** Whole years in the party on `today` (the party birthday, 政治生日, is `joinedOn`). */
export function partyYears(joinedOn: string, today = new Date()): number {
  const [y, m, d] = parts(joinedOn)
  const ty = today.getFullYear()
  const tm = today.getMonth() + 1
  const td = today.getDate()
  const before = tm < m || (tm === m && td < d)
  return Math.max(0, ty - y - (before ? 1 : 0))
}

/** Days from `today` to the next party birthday; 0 on the day itself. */
export function daysToPartyBirthday(joinedOn: string, today = new Date()): number {
  const [, m, d] = parts(joinedOn)
  const start = new Date(today.getFullYear(), today.getMonth(), today.getDate())
  let next = new Date(today.getFullYear(), m - 1, d)
  if (next < start) next = new Date(today.getFullYear() + 1, m - 1, d)
  return Math.round((next.getTime() - start.getTime()) / 86400000)
}
