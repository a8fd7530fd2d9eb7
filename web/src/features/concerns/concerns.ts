// Pure helpers of the resident-concern screens (社情民意 / 矛盾联动化解): categories and states in
// order, the status colours, which due time matters now and its overdue / due-soon mark, the
// 12345 rates as percentages, the region whose measures a staff member reads, the report form's
// body, and the checks a photo passes before it is sent.
import type { Schemas } from '../../api/client'

export type Concern = Schemas['ConcernView']
export type ConcernStatus = Schemas['ConcernStatus']
export type ConcernCategory = Schemas['ConcernCategory']
export type ConcernMetrics = Schemas['ConcernMetrics']
export type CreateConcern = Schemas['CreateConcern']
export type Urgency = Schemas['Urgency']

export const CATEGORIES: ConcernCategory[] = ['opinion', 'dispute', 'safety', 'market', 'environment', 'facility', 'other']
/** In the order a concern moves through them; reopened after resolved, withdrawn last. */
export const STATUSES: ConcernStatus[] = ['reported', 'accepted', 'in_progress', 'resolved', 'reopened', 'closed', 'withdrawn']
/** Still being worked on (what "overdue" and "due soon" can apply to). */
export const OPEN_STATUSES: ConcernStatus[] = ['reported', 'accepted', 'in_progress', 'reopened']
/** The actions a detail page can show buttons for, in the order shown. */
export const ACTIONS = ['accept', 'start', 'resolve', 'close', 'reopen', 'route', 'withdraw'] as const
export type ConcernAction = (typeof ACTIONS)[number]

/** A photo is refused past this size by the API (413); checked before sending too. */
export const MAX_PHOTO_BYTES = 5 * 1024 * 1024
/** A concern keeps at most this many photos (409 `too_many_photos`). */
export const MAX_PHOTOS = 9

/** The status tag colour (Element Plus tag types). */
export function statusType(s: ConcernStatus): 'primary' | 'success' | 'warning' | 'info' | 'danger' {
  switch (s) {
    case 'reported':
    case 'reopened':
      return 'danger'
    case 'accepted':
    case 'in_progress':
      return 'primary'
    case 'resolved':
      return 'warning'
    case 'closed':
      return 'success'
    default:
      return 'info'
  }
}

/** The due time that matters now: acceptance while it waits to be accepted, resolution while it is handled; none once resolved. */
export function dueOf(c: Pick<Concern, 'status' | 'accept_due_at' | 'resolve_due_at'>): { kind: 'accept' | 'resolve'; at: string } | null {
  if (c.status === 'reported') return { kind: 'accept', at: c.accept_due_at }
  if (OPEN_STATUSES.includes(c.status)) return { kind: 'resolve', at: c.resolve_due_at }
  return null
}

/** The mark next to a due time: overdue (either window passed), due soon (four fifths gone), or none. */
export function dueMark(c: Pick<Concern, 'accept_overdue' | 'resolve_overdue' | 'due_soon'>): 'overdue' | 'soon' | '' {
  if (c.accept_overdue || c.resolve_overdue) return 'overdue'
  if (c.due_soon) return 'soon'
  return ''
}

/** A rate of 0–1 as a percentage with one decimal (`91.8%`); a dash when nothing was due. */
export function percent(rate: number | null | undefined): string {
  if (rate == null || Number.isNaN(rate)) return '—'
  return `${(Math.round(rate * 1000) / 10).toFixed(1)}%`
}

/**
 * The region whose 12345 measures a staff member reads: their street, else their community (the
 * first such grant); none for callers without a region (residents, grid workers, admin).
 */
export function metricsRegion(grants: Schemas['GrantView'][] | undefined): { id: string; name: string } | null {
  const list = grants ?? []
  for (const role of ['street_staff', 'community_staff']) {
    const g = list.find((x) => x.role === role && x.scope_type === 'region' && x.scope_id)
    if (g?.scope_id) return { id: g.scope_id, name: g.scope_name ?? '' }
  }
  return null
}

/** Several states as the list's `status` parameter (`reported,reopened`); none for all. */
export function statusParam(list: ConcernStatus[]): string | undefined {
  return list.length ? list.join(',') : undefined
}

/** Where a reported concern is: a household (heard on a visit), a grid, a community, or the phone's position. */
export type Place = 'household' | 'grid' | 'community' | 'point'

export interface ReportForm {
  category: ConcernCategory | ''
  urgency: Urgency
  title: string
  description: string
  place: Place
  household_id: string
  visit_id: string
  grid_id: string
  community_id: string
  lng: number | null
  lat: number | null
  address: string
  contact_phone: string
}

export function emptyReport(): ReportForm {
  return {
    category: '',
    urgency: 'normal',
    title: '',
    description: '',
    place: 'community',
    household_id: '',
    visit_id: '',
    grid_id: '',
    community_id: '',
    lng: null,
    lat: null,
    address: '',
    contact_phone: '',
  }
}

const text = (s: string) => s.trim() || null

/**
 * The body of `POST /concerns` for the form: trimmed text (blanks as null) and only the location
 * the form's place says. A position also names the chosen community, so that a point outside
 * every grid still lands somewhere (the API answers `outside_grids` otherwise).
 */
export function reportBody(f: ReportForm): CreateConcern {
  const body: CreateConcern = {
    category: f.category as ConcernCategory,
    urgency: f.urgency,
    title: f.title.trim(),
    description: f.description.trim(),
    address: text(f.address),
    contact_phone: text(f.contact_phone),
  }
  if (f.visit_id) body.visit_id = f.visit_id
  switch (f.place) {
    case 'household':
      body.household_id = f.household_id
      break
    case 'grid':
      body.grid_id = f.grid_id
      break
    case 'point':
      body.lng = f.lng
      body.lat = f.lat
      if (f.community_id) body.community_id = f.community_id
      break
    default:
      body.community_id = f.community_id
  }
  return body
}

/** The form can be sent: what, which category, and the place its mode needs. */
export function reportReady(f: ReportForm): boolean {
  if (!f.category || !f.title.trim() || !f.description.trim()) return false
  switch (f.place) {
    case 'household':
      return !!f.household_id
    case 'grid':
      return !!f.grid_id
    case 'point':
      return f.lng != null && f.lat != null
    default:
      return !!f.community_id
  }
}

/** Why a chosen file cannot be a photo of a concern: not JPEG/PNG, or too large; '' when fine. */
export function photoProblem(file: { type: string; size: number }): 'type' | 'size' | '' {
  if (!['image/jpeg', 'image/png'].includes(file.type)) return 'type'
  if (file.size > MAX_PHOTO_BYTES) return 'size'
  return ''
}

/**
 * The name a photo is sent under: the API checks that the name's extension matches the content,
 * and phones name camera shots oddly (`image`, `IMG_0001.JPEG`, `blob`).
 */
export function photoName(name: string, type: string): string {
  const ext = type === 'image/png' ? 'png' : 'jpg'
  const ok = type === 'image/png' ? /\.png$/i : /\.jpe?g$/i
  if (ok.test(name)) return name
  const base = (name || 'photo').replace(/\.[^./\\]*$/, '') || 'photo'
  return `${base}.${ext}`
}

/**
 * Whether to offer adding photos: the concern is still open or awaiting feedback, and the caller
 * is likely allowed (the reporter, a handler, staff or the grid's worker). The server decides.
 */
export function mayAddPhoto(c: Pick<Concern, 'status' | 'actions' | 'reporter_name' | 'photos'>, who: { staff: boolean; worker: boolean; name?: string | null }): boolean {
  if (c.status === 'closed' || c.status === 'withdrawn') return false
  if (c.photos.length >= MAX_PHOTOS) return false
  return who.staff || who.worker || c.actions.length > 0 || (!!who.name && who.name === c.reporter_name)
}

/** Feedback can be sent: satisfied always, not satisfied only with a comment. */
export function feedbackReady(satisfied: boolean, comment: string): boolean {
  return satisfied || !!comment.trim()
}
