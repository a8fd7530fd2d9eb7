// Pure helpers of the agreement screens (共建协议): hours typed ↔ minutes sent, progress as a
// percent, "delivered / target" of a commitment, a new agreement's default term, and file sizes.
import type { Schemas } from '../../api/client'

export type Agreement = Schemas['AgreementView']
export type Commitment = Schemas['CommitmentProgress']
export type AgreementKind = Schemas['AgreementKind']

export const AGREEMENT_KINDS: AgreementKind[] = ['responsibility', 'co_building']

/** Hours typed in a form → whole minutes for the API; nothing typed (or not a number ≥ 0) is none. */
export function hoursToMinutes(hours: number | null | undefined): number | null {
  if (hours == null || Number.isNaN(hours) || hours < 0) return null
  return Math.round(hours * 60)
}

/** Minutes from the API → hours to show, at most one decimal (90 → 1.5). */
export function minutesToHours(minutes: number | null | undefined): number {
  if (!minutes || Number.isNaN(minutes)) return 0
  return Math.round((minutes / 60) * 10) / 10
}

/** A 0..1 progress as a 0–100 percent (clamped); none stays none, so no bar is drawn. */
export function progressPercent(progress: number | null | undefined): number | null {
  if (progress == null || Number.isNaN(progress)) return null
  return Math.max(0, Math.min(100, Math.round(progress * 100)))
}

/** A commitment's "delivered / target" parts: orders and hours that have a target, else what was delivered. */
export function deliveredParts(c: Pick<Commitment, 'target_orders' | 'target_minutes' | 'delivered_orders' | 'delivered_minutes'>): { kind: 'orders' | 'hours'; delivered: number; target: number | null }[] {
  const out: { kind: 'orders' | 'hours'; delivered: number; target: number | null }[] = []
  if (c.target_orders != null) out.push({ kind: 'orders', delivered: c.delivered_orders, target: c.target_orders })
  if (c.target_minutes != null) out.push({ kind: 'hours', delivered: minutesToHours(c.delivered_minutes), target: minutesToHours(c.target_minutes) })
  if (!out.length) {
    out.push({ kind: 'orders', delivered: c.delivered_orders, target: null })
    out.push({ kind: 'hours', delivered: minutesToHours(c.delivered_minutes), target: null })
  }
  return out
}

/** A new agreement's default term: the calendar year of `today`. */
export function yearTerm(today = new Date()): { starts_on: string; ends_on: string } {
  const y = today.getFullYear()
  return { starts_on: `${y}-01-01`, ends_on: `${y}-12-31` }
}

/** `2.4 MB`, `12 KB`, `512 B`. */
export function fileSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`
  return `${bytes} B`
}

/** Uploads are refused past this size by the API (413); checked before sending too. */
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
