import { describe, expect, it } from 'vitest'
import {
  MAX_PHOTO_BYTES,
  dueMark,
  dueOf,
  emptyReport,
  feedbackReady,
  mayAddPhoto,
  metricsRegion,
  percent,
  photoName,
  photoProblem,
  reportBody,
  reportReady,
  statusParam,
  statusType,
  type ReportForm,
} from './concerns'

const due = { accept_due_at: '2026-11-23T03:00:00Z', resolve_due_at: '2026-11-24T03:00:00Z' }

describe('due times', () => {
  it('is the acceptance time while reported, the resolution time while handled, none when done', () => {
    expect(dueOf({ status: 'reported', ...due })).toEqual({ kind: 'accept', at: due.accept_due_at })
    for (const s of ['accepted', 'in_progress', 'reopened'] as const) expect(dueOf({ status: s, ...due })).toEqual({ kind: 'resolve', at: due.resolve_due_at })
    for (const s of ['resolved', 'closed', 'withdrawn'] as const) expect(dueOf({ status: s, ...due })).toBeNull()
  })
  it('marks overdue before due soon', () => {
    expect(dueMark({ accept_overdue: true, resolve_overdue: false, due_soon: false })).toBe('overdue')
    expect(dueMark({ accept_overdue: false, resolve_overdue: true, due_soon: true })).toBe('overdue')
    expect(dueMark({ accept_overdue: false, resolve_overdue: false, due_soon: true })).toBe('soon')
    expect(dueMark({ accept_overdue: false, resolve_overdue: false, due_soon: false })).toBe('')
  })
  it('colours states', () => {
    expect(statusType('reported')).toBe('danger')
    expect(statusType('reopened')).toBe('danger')
    expect(statusType('in_progress')).toBe('primary')
    expect(statusType('resolved')).toBe('warning')
    expect(statusType('closed')).toBe('success')
    expect(statusType('withdrawn')).toBe('info')
  })
})

describe('measures', () => {
  it('shows rates as percentages with one decimal, a dash when nothing was due', () => {
    expect(percent(0.9182)).toBe('91.8%')
    expect(percent(1)).toBe('100.0%')
    expect(percent(0)).toBe('0.0%')
    expect(percent(null)).toBe('—')
    expect(percent(undefined)).toBe('—')
  })
  it('reads the street of street staff, else the community of community staff, none for others', () => {
    const street = { id: 'g1', role: 'street_staff' as const, scope_type: 'region', scope_id: 's1', scope_name: '新丰街街道' }
    const community = { id: 'g2', role: 'community_staff' as const, scope_type: 'region', scope_id: 'c1', scope_name: '斜桥巷社区' }
    expect(metricsRegion([community, street])).toEqual({ id: 's1', name: '新丰街街道' })
    expect(metricsRegion([community])).toEqual({ id: 'c1', name: '斜桥巷社区' })
    expect(metricsRegion([{ id: 'g3', role: 'admin', scope_type: 'global', scope_id: null, scope_name: null }])).toBeNull()
    expect(metricsRegion([{ id: 'g4', role: 'grid_worker', scope_type: 'grid', scope_id: 'x', scope_name: '斜桥巷第1网格' }])).toBeNull()
    expect(metricsRegion(undefined)).toBeNull()
  })
  it('joins states for the list filter', () => {
    expect(statusParam([])).toBeUndefined()
    expect(statusParam(['reported', 'reopened'])).toBe('reported,reopened')
  })
})

describe('report form', () => {
  const filled = (over: Partial<ReportForm> = {}): ReportForm => ({ ...emptyReport(), category: 'safety', title: ' 楼道堆物 ', description: ' 3号楼楼道 ', ...over })

  it('sends only the location its place says, with trimmed text and blanks as null', () => {
    expect(reportBody(filled({ place: 'community', community_id: 'c1', grid_id: 'g1', address: ' 3号楼 ', contact_phone: '' }))).toEqual({
      category: 'safety',
      urgency: 'normal',
      title: '楼道堆物',
      description: '3号楼楼道',
      address: '3号楼',
      contact_phone: null,
      community_id: 'c1',
    })
    const grid = reportBody(filled({ place: 'grid', grid_id: 'g1', community_id: 'c1' }))
    expect(grid.grid_id).toBe('g1')
    expect(grid.community_id).toBeUndefined()
    const household = reportBody(filled({ place: 'household', household_id: 'h1', visit_id: 'v1', grid_id: 'g1' }))
    expect(household).toMatchObject({ household_id: 'h1', visit_id: 'v1' })
    expect(household.grid_id).toBeUndefined()
  })
  it('sends a position with the chosen community as a fallback', () => {
    expect(reportBody(filled({ place: 'point', lng: 119.956, lat: 31.786 }))).toMatchObject({ lng: 119.956, lat: 31.786 })
    expect(reportBody(filled({ place: 'point', lng: 119.956, lat: 31.786 })).community_id).toBeUndefined()
    expect(reportBody(filled({ place: 'point', lng: 1, lat: 2, community_id: 'c1' }))).toMatchObject({ lng: 1, lat: 2, community_id: 'c1' })
  })
  it('is ready with a category, a title, a description and the place its mode needs', () => {
    expect(reportReady(emptyReport())).toBe(false)
    expect(reportReady(filled({ place: 'community' }))).toBe(false)
    expect(reportReady(filled({ place: 'community', community_id: 'c1' }))).toBe(true)
    expect(reportReady(filled({ place: 'community', community_id: 'c1', title: '  ' }))).toBe(false)
    expect(reportReady(filled({ place: 'community', community_id: 'c1', category: '' }))).toBe(false)
    expect(reportReady(filled({ place: 'grid', grid_id: 'g1' }))).toBe(true)
    expect(reportReady(filled({ place: 'point', lng: 119.9 }))).toBe(false)
    expect(reportReady(filled({ place: 'point', lng: 0, lat: 0 }))).toBe(true)
    expect(reportReady(filled({ place: 'household', household_id: 'h1' }))).toBe(true)
  })
})

describe('photos', () => {
  it('takes JPEG and PNG up to 5 MB', () => {
    expect(photoProblem({ type: 'image/jpeg', size: 1000 })).toBe('')
    expect(photoProblem({ type: 'image/png', size: MAX_PHOTO_BYTES })).toBe('')
    expect(photoProblem({ type: 'image/png', size: MAX_PHOTO_BYTES + 1 })).toBe('size')
    expect(photoProblem({ type: 'image/heic', size: 1000 })).toBe('type')
    expect(photoProblem({ type: 'application/pdf', size: 1000 })).toBe('type')
  })
  it('names a photo so that its extension matches its content', () => {
    expect(photoName('IMG_0001.JPEG', 'image/jpeg')).toBe('IMG_0001.JPEG')
    expect(photoName('a.jpg', 'image/jpeg')).toBe('a.jpg')
    expect(photoName('image', 'image/jpeg')).toBe('image.jpg')
    expect(photoName('shot.png', 'image/jpeg')).toBe('shot.jpg')
    expect(photoName('blob', 'image/png')).toBe('blob.png')
    expect(photoName('', 'image/png')).toBe('photo.png')
    expect(photoName('x.jpg', 'image/png')).toBe('x.png')
  })
  it('offers adding photos to those likely allowed while the concern is open', () => {
    const c = { status: 'reported' as const, actions: [] as string[], reporter_name: '居民 李秀英', photos: [] }
    expect(mayAddPhoto(c, { staff: false, worker: false, name: '居民 李秀英' })).toBe(true)
    expect(mayAddPhoto(c, { staff: false, worker: false, name: '党员 王建国' })).toBe(false)
    expect(mayAddPhoto(c, { staff: true, worker: false })).toBe(true)
    expect(mayAddPhoto({ ...c, actions: ['accept'] }, { staff: false, worker: false })).toBe(true)
    expect(mayAddPhoto({ ...c, status: 'closed' }, { staff: true, worker: false })).toBe(false)
    const nine = Array.from({ length: 9 }, (_, i) => ({ id: `${i}`, url: '', content_type: 'image/png', size: 1 }))
    expect(mayAddPhoto({ ...c, photos: nine }, { staff: true, worker: false })).toBe(false)
  })
})

describe('feedback', () => {
  it('needs a comment only when not satisfied', () => {
    expect(feedbackReady(true, '')).toBe(true)
    expect(feedbackReady(false, '  ')).toBe(false)
    expect(feedbackReady(false, '晚上还是有人充电')).toBe(true)
  })
})
