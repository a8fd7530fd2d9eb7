// Pure helpers of the volunteer screens: hours from minutes, activities grouped by day, an
// activity's phase and its check-in windows (the API's rules, so buttons show when they work),
// team colours, periods, check-in codes, and the message of a refused action.
import type { Schemas } from '../../api/client'
import { problemMessage, type ProblemLike } from '../../api/problem'
import { recentMonths, recentQuarters } from '../meetings/rates'

type Activity = Schemas['ActivityView']
export type TeamColour = Schemas['TeamColour']
export type TeamKind = Schemas['TeamKind']

export const TEAM_KINDS: TeamKind[] = ['publicity', 'party_service', 'health', 'environment', 'science', 'patrol', 'culture', 'mediation', 'repair', 'legal_aid', 'other']
export const TEAM_COLOURS: TeamColour[] = ['red', 'orange', 'yellow', 'green', 'cyan', 'blue', 'purple']
export const ATTENDANCE: Schemas['ActivityAttendance'][] = ['present', 'late', 'excused', 'absent']

/** Check-in opens this long before the start (the API's `OPENS_BEFORE`) … */
export const OPENS_BEFORE_MS = 30 * 60_000
/** … and check-out stays open this long after the end (`CLOSES_AFTER`). */
export const CLOSES_AFTER_MS = 60 * 60_000

const HEX: Record<TeamColour, string> = {
  red: '#d32f2f',
  orange: '#f57c00',
  yellow: '#f9a825',
  green: '#388e3c',
  cyan: '#00acc1',
  blue: '#1976d2',
  purple: '#7b1fa2',
}

/** The dot colour of a 七彩之光 team; teams without a colour are grey. */
export function colourHex(c: TeamColour | null | undefined): string {
  return (c && HEX[c]) || '#909399'
}

/** Minutes as hours with at most one decimal: 90 → "1.5", 120 → "2", 5 → "0.1", -120 → "-2". */
export function hours(minutes: number | null | undefined): string {
  if (minutes == null || Number.isNaN(minutes)) return '0'
  const tenths = Math.round(Math.abs(minutes) / 6)
  const sign = minutes < 0 && tenths > 0 ? '-' : ''
  const whole = Math.floor(tenths / 10)
  const frac = tenths % 10
  return `${sign}${whole}${frac ? `.${frac}` : ''}`
}

const pad = (n: number) => String(n).padStart(2, '0')

/** The local calendar day (`2026-11-26`) of an instant. */
export function dayOf(iso: string): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso.slice(0, 10)
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

/** The local time of day (`09:00`) of an instant. */
export function timeOf(iso: string): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return ''
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`
}

/** `2026-11-26 09:00–11:00`, or both days when the activity runs past midnight. */
export function timeRange(starts: string, ends: string): string {
  const [ds, de] = [dayOf(starts), dayOf(ends)]
  return ds === de ? `${ds} ${timeOf(starts)}–${timeOf(ends)}` : `${ds} ${timeOf(starts)} – ${de} ${timeOf(ends)}`
}

export interface DayGroup<T> {
  day: string
  items: T[]
}

/** Items grouped by the local day of their start, days in order, items in their given order per day. */
export function groupByDay<T extends { starts_at: string }>(items: T[]): DayGroup<T>[] {
  const by = new Map<string, T[]>()
  for (const it of items) {
    const d = dayOf(it.starts_at)
    const list = by.get(d)
    if (list) list.push(it)
    else by.set(d, [it])
  }
  return [...by.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([day, list]) => ({ day, items: list }))
}

export type Phase = 'upcoming' | 'live' | 'ended' | 'cancelled' | 'closed'

/** Where an activity is: not started, on now, over but not yet closed, or cancelled/closed. */
export function phase(a: Pick<Activity, 'status' | 'starts_at' | 'ends_at'>, now = Date.now()): Phase {
  if (a.status === 'cancelled') return 'cancelled'
  if (a.status === 'closed') return 'closed'
  if (now < Date.parse(a.starts_at)) return 'upcoming'
  if (now <= Date.parse(a.ends_at)) return 'live'
  return 'ended'
}

/** From 30 minutes before the start to the end. */
export function checkInOpen(a: Pick<Activity, 'status' | 'starts_at' | 'ends_at'>, now = Date.now()): boolean {
  return a.status === 'scheduled' && now >= Date.parse(a.starts_at) - OPENS_BEFORE_MS && now <= Date.parse(a.ends_at)
}

/** From the start to an hour after the end. */
export function checkOutOpen(a: Pick<Activity, 'status' | 'starts_at' | 'ends_at'>, now = Date.now()): boolean {
  return a.status === 'scheduled' && now >= Date.parse(a.starts_at) && now <= Date.parse(a.ends_at) + CLOSES_AFTER_MS
}

export type Action = 'signUp' | 'withdraw' | 'checkIn' | 'checkOut'

/** What the signed-in volunteer can do with an activity now (the API decides in the end). */
export function actions(a: Pick<Activity, 'status' | 'starts_at' | 'ends_at' | 'my_signup'>, now = Date.now()): Action[] {
  const s = a.my_signup
  const held = !!s && s.status !== 'cancelled'
  const out: Action[] = []
  if (a.status !== 'scheduled') return out
  if (!held && now < Date.parse(a.ends_at)) out.push('signUp')
  if (held && now < Date.parse(a.starts_at) && !s?.checked_in_at) out.push('withdraw')
  if (s?.status === 'confirmed' && !s.checked_in_at && checkInOpen(a, now)) out.push('checkIn')
  if (s?.status === 'confirmed' && s.checked_in_at && !s.checked_out_at && checkOutOpen(a, now)) out.push('checkOut')
  return out
}

/** A typed or pasted code: its digits, when there are six of them. */
export function cleanCode(raw: string | null | undefined): string | null {
  const digits = (raw ?? '').replace(/\D/g, '')
  return digits.length === 6 ? digits : null
}

/** Whole seconds until an instant (never negative). */
export function secondsLeft(until: string, now = Date.now()): number {
  return Math.max(0, Math.ceil((Date.parse(until) - now) / 1000))
}

/** Periods the totals and the ranking take, newest first: years, quarters, months. */
export function periodChoices(d = new Date()): { years: string[]; quarters: string[]; months: string[] } {
  const y = d.getFullYear()
  return { years: [String(y), String(y - 1)], quarters: recentQuarters(6, d), months: recentMonths(12, d) }
}

/** The first and last day of a year, for the service card (`from`, `to`). */
export function yearRange(year: number): { from: string; to: string } {
  return { from: `${year}-01-01`, to: `${year}-12-31` }
}

/** The marks to send: confirmed rows whose mark was set or changed since it was saved. */
export function changedMarks(
  rows: { volunteer_id: string; status: string; mark: Schemas['ActivityAttendance'] | '' }[],
  saved: Record<string, string>,
): Schemas['AttendanceMark'][] {
  return rows
    .filter((r) => r.status === 'confirmed' && r.mark && r.mark !== (saved[r.volunteer_id] ?? ''))
    .map((r) => ({ volunteer_id: r.volunteer_id, attendance: r.mark as Schemas['ActivityAttendance'] }))
}

/** Refusals whose translation says all there is (the server's English detail adds nothing for a volunteer). */
const SELF_EXPLAINED = new Set([
  'outside_check_in_window', 'not_signed_up', 'already_signed_up', 'leader_cannot_leave', 'team_inactive', 'already_member', 'entry_reversed',
  'entry_is_reversal', 'duplicate_name',
])

/**
 * The message of a refused action: a field error the locale knows (a wrong code, too far from
 * the venue) says more than "some fields need attention", so it comes first; a refusal the
 * locale explains fully is shown without the server's detail.
 */
export function actionMessage(p: ProblemLike | undefined, t: (k: string) => string, te: (k: string) => boolean): string {
  if (p && typeof p === 'object' && p.code === 'validation_failed') {
    const known = (p.errors ?? []).find((e) => e.code && te(`errors.${e.code}`))
    if (known) return t(`errors.${known.code}`)
  }
  if (p && typeof p === 'object' && p.code && SELF_EXPLAINED.has(p.code) && te(`errors.${p.code}`)) return t(`errors.${p.code}`)
  return problemMessage(p, t, te)
}
