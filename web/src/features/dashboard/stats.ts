// Pure helpers of the dashboard (数据看板): the period choices and their days, the region a
// caller starts at, where the dashboard's address takes it (region, grid, period), the measures
// the grid map is coloured by with their legend, the list screen behind each figure, an evidence
// link of the API turned into the screen that shows it, and the export's file name.
import type { Schemas } from '../../api/client'

export type Overview = Schemas['Overview']
export type Breakdown = Schemas['Breakdown']
export type Child = Schemas['ChildFigures']
export type Month = Schemas['MonthFigures']
export type Scope = Schemas['Scope']
export type Grant = Schemas['GrantView']

const pad = (n: number) => String(n).padStart(2, '0')

/** A local calendar day as the API takes it (`2026-11-23`). */
export function isoDay(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

/**
 * Today where the street is (the API's calendar is UTC+8 by default), whatever the browser's time
 * zone: a browser elsewhere must not ask for a day the API still counts as to come. The dashboard
 * corrects it with the API's own day once an overview has answered.
 */
export function streetToday(now = new Date(), offsetMinutes = 8 * 60): string {
  return new Date(now.getTime() + offsetMinutes * 60_000).toISOString().slice(0, 10)
}

export const PRESETS = ['year', 'quarter', 'month', 'lastYear', 'custom'] as const
export type Preset = (typeof PRESETS)[number]
export type Period = { from: string; to: string }

/** The days of a preset as of `today`: this year, quarter or month so far, or all of last year. */
export function presetRange(preset: Exclude<Preset, 'custom'>, today: string): Period {
  const [y, m] = today.split('-').map(Number)
  switch (preset) {
    case 'quarter':
      return { from: `${y}-${pad(Math.floor((m - 1) / 3) * 3 + 1)}-01`, to: today }
    case 'month':
      return { from: `${y}-${pad(m)}-01`, to: today }
    case 'lastYear':
      return { from: `${y - 1}-01-01`, to: `${y - 1}-12-31` }
    default:
      return { from: `${y}-01-01`, to: today }
  }
}

/** Which preset a period is (for the selector), `custom` when none. */
export function presetOf(p: Period, today: string): Preset {
  for (const preset of ['year', 'quarter', 'month', 'lastYear'] as const) {
    const r = presetRange(preset, today)
    if (r.from === p.from && r.to === p.to) return preset
  }
  return 'custom'
}

/** A period from the address: this year by default; a `to` after today, or before `from`, falls back too. */
export function periodFrom(query: Record<string, unknown>, today: string): Period {
  const ok = (v: unknown): v is string => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)
  const def = presetRange('year', today)
  const to = ok(query.to) && query.to <= today ? query.to : def.to
  const from = ok(query.from) && query.from <= to ? query.from : to === def.to ? def.from : `${to.slice(0, 4)}-01-01`
  return { from, to }
}

/** The region a caller's dashboard starts at: their first region grant; none for admin (they pick one) and for callers without a region. */
export function homeRegion(grants: Grant[] | undefined): { id: string; name: string } | null {
  const g = (grants ?? []).find((x) => x.scope_type === 'region' && x.scope_id)
  return g?.scope_id ? { id: g.scope_id, name: g.scope_name ?? '' } : null
}

/** Whether someone has a dashboard: staff (street, community) and admin. */
export function seesDashboard(grants: Grant[] | undefined): boolean {
  return (grants ?? []).some((g) => ['admin', 'street_staff', 'community_staff'].includes(g.role))
}

/** Where a caller lands after signing in: staff on the dashboard, grid workers on their grid, residents at the activities, others at the regions. */
export function landing(grants: Grant[] | undefined): string {
  const roles = (grants ?? []).map((g) => g.role)
  if (seesDashboard(grants)) return '/dashboard'
  if (roles.includes('grid_worker')) return '/my-grid'
  if (roles.length > 0 && roles.every((r) => r === 'resident')) return '/volunteer'
  return '/regions'
}

/** The dashboard's address: the region, the grid looked at inside it, and the period when it is not this year. */
export function dashboardQuery(regionId: string, gridId: string | null, p: Period, today: string): Record<string, string> {
  const q: Record<string, string> = { region_id: regionId }
  if (gridId) q.grid = gridId
  const def = presetRange('year', today)
  if (p.from !== def.from || p.to !== def.to) {
    q.from = p.from
    q.to = p.to
  }
  return q
}

/** Region levels from the top; the drill-down goes one step down per click. */
export const LEVELS = ['district', 'street', 'community', 'grid'] as const

/** The chain of regions from the top one the caller sees down to `id` (for the breadcrumb). */
export function regionPath<R extends { id: string; parent_id?: string | null }>(regions: R[], id: string): R[] {
  const byId = new Map(regions.map((r) => [r.id, r]))
  const out: R[] = []
  const seen = new Set<string>()
  let r = byId.get(id)
  while (r && !seen.has(r.id)) {
    seen.add(r.id)
    out.unshift(r)
    r = r.parent_id ? byId.get(r.parent_id) : undefined
  }
  return out
}

// ---- the map ------------------------------------------------------------------------------------

export const MEASURES = ['coverage_rate', 'concerns', 'members', 'households'] as const
export type Measure = (typeof MEASURES)[number]
export const NO_DATA = '#dcdfe6'
/** Rates: red under 60 %, orange to 80 %, light green to 90 %, green from 90 %. */
const RATE_BUCKETS = [
  { from: 0, to: 0.6, colour: '#d32f2f' },
  { from: 0.6, to: 0.8, colour: '#f0a202' },
  { from: 0.8, to: 0.9, colour: '#9ccc65' },
  { from: 0.9, to: Infinity, colour: '#2e7d32' },
]
/** Counts: four shades of the party red, light to dark (the map fills them half transparent). */
const COUNT_COLOURS = ['#f9c4c4', '#ef8a8a', '#d84343', '#9a0f0f']

export type Bucket = { from: number; to: number; colour: string }

export function measureValue(c: Child | undefined, m: Measure): number | null {
  if (!c) return null
  const v = c[m]
  return v == null || Number.isNaN(v) ? null : Number(v)
}

/** The legend of a measure over the values on the map: fixed steps for the rate, four equal steps up to the largest count. */
export function buckets(m: Measure, values: (number | null)[]): Bucket[] {
  if (m === 'coverage_rate') return RATE_BUCKETS
  const max = Math.max(0, ...values.filter((v): v is number => v != null))
  if (max <= 0) return [{ from: 0, to: Infinity, colour: COUNT_COLOURS[0] }]
  const step = Math.max(1, Math.ceil(max / 4))
  return COUNT_COLOURS.map((colour, i) => ({ from: i * step, to: i === 3 ? Infinity : (i + 1) * step, colour }))
}

/** The colour of a value: its bucket's, or the no-data grey. */
export function colourOf(value: number | null, list: Bucket[]): string {
  if (value == null) return NO_DATA
  return (list.find((b) => value >= b.from && value < b.to) ?? list[list.length - 1]).colour
}

/** A legend entry's text: `≥ 90%`, `60–80%`, `0–11`, `≥ 33`. */
export function bucketLabel(b: Bucket, m: Measure): string {
  const f = (n: number) => (m === 'coverage_rate' ? `${Math.round(n * 100)}%` : String(n))
  if (b.to === Infinity) return b.from === 0 && m !== 'coverage_rate' ? '≥ 0' : `≥ ${f(b.from)}`
  if (b.from === 0 && m === 'coverage_rate') return `< ${f(b.to)}`
  return m === 'coverage_rate' ? `${Math.round(b.from * 100)}–${f(b.to)}` : `${b.from}–${b.to - 1}`
}

// ---- figures and their lists --------------------------------------------------------------------

/** A rate of 0–1 as a percentage with one decimal; a dash when there is nothing to count. */
export function percent(rate: number | null | undefined): string {
  if (rate == null || Number.isNaN(rate)) return '—'
  return `${(Math.round(rate * 1000) / 10).toFixed(1)}%`
}

/** A count or a sum as people read it (`10,961.6`); a dash for none. */
export function num(n: number | null | undefined, digits = 1): string {
  if (n == null || Number.isNaN(n)) return '—'
  return n.toLocaleString('zh-CN', { maximumFractionDigits: digits })
}

/** The meeting line: attendance at or above 80 % is met. */
export const ATTENDANCE_LINE = 0.8
export function belowLine(rate: number | null | undefined, line = ATTENDANCE_LINE): boolean {
  return rate != null && rate < line
}

export type Link = { path: string; query?: Record<string, string> }
export type Figure = 'members' | 'branches' | 'orders' | 'concerns' | 'visits' | 'meetings' | 'hours' | 'polls' | 'wishes' | 'households' | 'grids'

/**
 * The list screen behind a figure of a region. Lists that take a region get it for a street or a
 * community (a district's staff see everything anyway); the others show the caller's scope.
 */
export function figureLink(f: Figure, scope: { id: string; level: string } | null, extra: Record<string, string> = {}): Link {
  const region: Record<string, string> = scope && (scope.level === 'street' || scope.level === 'community') ? { region_id: scope.id } : {}
  const community: Record<string, string> = scope && scope.level === 'community' ? { community_id: scope.id } : {}
  const withQuery = (path: string, q: Record<string, string>): Link => (Object.keys(q).length ? { path, query: q } : { path })
  switch (f) {
    case 'members':
      return withQuery('/members', extra)
    case 'branches':
      return { path: '/branches' }
    case 'orders':
      return withQuery('/service-orders/board', { ...region, ...extra })
    case 'concerns':
      // The concern list filters by community (a street's staff see their street's anyway).
      return withQuery('/concerns', { ...(community.community_id ? { region_id: community.community_id } : {}), ...extra })
    case 'visits':
      return { path: '/coverage' }
    case 'meetings':
      return { path: '/meetings/rates' }
    case 'hours':
      return withQuery('/service-hours/ranking', region)
    case 'polls':
      return withQuery('/polls', { ...community, ...extra })
    case 'wishes':
      return { path: '/wishes' }
    case 'households':
      return withQuery('/households', extra)
    case 'grids':
      return withQuery('/grids', { ...community, ...extra })
  }
}

/**
 * The screen that lists what an evidence link of the API counts (`/api/v1/meetings/attendance-rates?…`
 * → `/meetings/rates`); null for a link the app has no screen for.
 */
export function screenOf(apiLink: string | null | undefined): Link | null {
  if (!apiLink) return null
  const url = new URL(apiLink, 'http://x')
  const path = url.pathname.replace(/^\/api\/v1/, '')
  const q = Object.fromEntries(url.searchParams.entries())
  const keep = (names: string[]) => {
    const out: Record<string, string> = {}
    for (const n of names) if (q[n]) out[n] = q[n]
    return out
  }
  const withQuery = (p: string, query: Record<string, string>): Link => (Object.keys(query).length ? { path: p, query } : { path: p })
  if (path === '/meetings/attendance-rates' || path === '/meetings') return { path: '/meetings/rates' }
  if (path === '/households/coverage' || path === '/visits/coverage') return { path: '/coverage' }
  if (path === '/concerns') return withQuery('/concerns', keep(['region_id', 'status']))
  if (path === '/service-orders') {
    const region = q.region_id || q.community_id
    return withQuery('/service-orders/board', region ? { region_id: region } : {})
  }
  if (path === '/polls') return withQuery('/polls', keep(['community_id', 'status']))
  if (path === '/members') return withQuery('/members', keep(['category', 'branch_id']))
  if (path === '/service-hours' || path === '/service-hours/ranking') return { path: '/service-hours/ranking' }
  if (path === '/wishes') return { path: '/wishes' }
  if (path === '/households') return { path: '/households' }
  return null
}

/** The file name a download's Content-Disposition gives (`filename*=` first), else `fallback`. */
export function fileNameOf(disposition: string | null | undefined, fallback: string): string {
  if (!disposition) return fallback
  const star = /filename\*\s*=\s*(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition)
  if (star) {
    try {
      return decodeURIComponent(star[1])
    } catch {
      /* fall through to the plain name */
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(disposition)
  return plain ? plain[1].trim() : fallback
}

/** Entries of a count map in a given order first, then any others, without zeroes dropped. */
export function ordered(map: Record<string, number> | undefined, order: readonly string[]): [string, number][] {
  const m = map ?? {}
  const known = order.filter((k) => k in m).map((k) => [k, m[k]] as [string, number])
  const rest = Object.keys(m)
    .filter((k) => !order.includes(k))
    .sort()
    .map((k) => [k, m[k]] as [string, number])
  return [...known, ...rest]
}
