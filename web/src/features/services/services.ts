// Pure helpers of the menu-style service screens (点单、派单、接单、评单 and the wish wall): the
// order states in board order, orders grouped by state, overdue marks, stars, the evidence a
// provider types, and an idempotency key kept for one submit and its retries.
import type { Schemas } from '../../api/client'

export type Order = Schemas['OrderView']
export type OrderStatus = Schemas['OrderStatus']
export type ProviderType = Schemas['ProviderType']
export type UnitKind = Schemas['UnitKind']
export type WishStatus = Schemas['WishStatus']

/** The board's columns, in the order an order moves through them; cancelled last. */
export const ORDER_STATES: OrderStatus[] = ['ordered', 'dispatched', 'accepted', 'completed', 'rated', 'cancelled']
export const PROVIDER_TYPES: ProviderType[] = ['unit', 'team', 'volunteer']
export const UNIT_KINDS: UnitKind[] = ['agency', 'enterprise', 'institution', 'school', 'military', 'social_organisation']
export const WISH_STATES: WishStatus[] = ['posted', 'open', 'adopted', 'fulfilled', 'thanked', 'rejected', 'withdrawn']

/** Orders grouped by state: every state present (maybe empty), each list in its given order. */
export function groupByStatus<T extends { status: OrderStatus }>(orders: T[]): Record<OrderStatus, T[]> {
  const out = Object.fromEntries(ORDER_STATES.map((s) => [s, [] as T[]])) as Record<OrderStatus, T[]>
  for (const o of orders) (out[o.status] ?? (out[o.status] = [])).push(o)
  return out
}

/** Late: dispatched and not accepted, or accepted and not done, by its due time. */
export function overdue(o: Pick<Order, 'accept_overdue' | 'complete_overdue'>): boolean {
  return !!(o.accept_overdue || o.complete_overdue)
}

/** `★★★☆☆` for 3 of 5; out-of-range ratings are clamped, none is an empty string. */
export function stars(rating: number | null | undefined, of = 5): string {
  if (rating == null || Number.isNaN(rating)) return ''
  const n = Math.max(0, Math.min(of, Math.round(rating)))
  return '★'.repeat(n) + '☆'.repeat(of - n)
}

/** The status tag colour of an order (Element Plus tag types). */
export function statusType(s: OrderStatus): 'primary' | 'success' | 'warning' | 'info' | 'danger' {
  switch (s) {
    case 'ordered':
      return 'danger'
    case 'dispatched':
      return 'warning'
    case 'accepted':
      return 'primary'
    case 'completed':
    case 'rated':
      return 'success'
    default:
      return 'info'
  }
}

/** Evidence typed one item a line (a note, a photo reference or a URL): trimmed, blanks dropped. */
export function evidenceLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
}

/** Whether a piece of evidence is a link to open rather than a note. */
export const isLink = (s: string) => /^https?:\/\//i.test(s)

/**
 * One submit's idempotency key: the same key while the same form is retried (a lost answer must
 * not make a second order), a new one once it went through or the form changed.
 */
export class SubmitKey {
  private key: string | null = null
  private body = ''
  constructor(private readonly make: () => string = () => crypto.randomUUID()) {}
  /** The key for this body: reused when the body is the one last tried. */
  for(body: unknown): string {
    const b = JSON.stringify(body)
    if (!this.key || b !== this.body) {
      this.key = this.make()
      this.body = b
    }
    return this.key
  }
  /** After success: the next submit is a new order. */
  done(): void {
    this.key = null
    this.body = ''
  }
}

/** The communities met in a list (menu items, orders, wishes), by first appearance. */
export function communitiesOf(rows: { community_id: string; community_name: string }[]): { id: string; name: string }[] {
  const seen = new Map<string, string>()
  for (const r of rows) if (!seen.has(r.community_id)) seen.set(r.community_id, r.community_name)
  return [...seen.entries()].map(([id, name]) => ({ id, name }))
}

/** A claim period's default: today to the end of the project's year. */
export function claimPeriod(year: number, today = new Date()): { starts_on: string; ends_on: string } {
  const pad = (n: number) => String(n).padStart(2, '0')
  const start = today.getFullYear() === year ? `${year}-${pad(today.getMonth() + 1)}-${pad(today.getDate())}` : `${year}-01-01`
  return { starts_on: start, ends_on: `${year}-12-31` }
}

/** Percent of a project's need that is claimed, 0–100. */
export function claimedPercent(claimed: number, need: number): number {
  if (!need || need <= 0) return 0
  return Math.max(0, Math.min(100, Math.round((claimed / need) * 100)))
}
