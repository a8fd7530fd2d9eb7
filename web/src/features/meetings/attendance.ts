// The attendance sheet's pure logic: the rows a secretary edits, what is sent, and the check
// that an excused absence (请假) has a reason before anything goes to the server.
import type { Schemas } from '../../api/client'

export type Mark = Schemas['Attendance']
export interface SheetRow {
  member_id: string
  member_name: string
  status: Mark
  reason: string
}

export function toRows(attendees: Schemas['AttendeeView'][]): SheetRow[] {
  return attendees.map((a) => ({ member_id: a.member_id, member_name: a.member_name, status: a.status, reason: a.reason ?? '' }))
}

/** "All present": everyone not excused is marked present (an excused absence keeps its reason). */
export function markAllPresent(rows: SheetRow[]): void {
  for (const r of rows) if (r.status !== 'excused') r.status = 'present'
}

/** The entries to PUT: every marked row; a reason only for an excused absence. */
export function entries(rows: SheetRow[]): Schemas['AttendanceEntry'][] {
  return rows
    .filter((r) => r.status !== 'unrecorded')
    .map((r) => ({ member_id: r.member_id, status: r.status, reason: r.status === 'excused' ? r.reason.trim() || undefined : undefined }))
}

/** Members marked excused without a reason. */
export function missingReasons(rows: SheetRow[]): string[] {
  return rows.filter((r) => r.status === 'excused' && !r.reason.trim()).map((r) => r.member_id)
}

export function tally(rows: SheetRow[]): Record<Mark, number> {
  const out: Record<Mark, number> = { present: 0, absent: 0, excused: 0, unrecorded: 0 }
  for (const r of rows) out[r.status] += 1
  return out
}
