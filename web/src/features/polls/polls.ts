// Pure helpers of the satisfaction-poll screens (民意测评): the ratings and outcomes in order with
// their colours, a rate as a percentage and as the three shares of a bar, the create form's
// checks and body, whether a ballot rates every cadre (and its body), which state a voter's screen
// shows, the open polls grouped by community, and the rectification form's checks and body.
import type { Schemas } from '../../api/client'

export type Poll = Schemas['PollView']
export type PollStatus = Schemas['PollStatus']
export type PollResults = Schemas['PollResults']
export type CadreResult = Schemas['CadreResult']
export type Rating = Schemas['Rating']
export type Outcome = Schemas['Outcome']
export type Rectification = Schemas['RectificationView']
export type CreatePoll = Schemas['CreatePoll']
export type UpdateRectification = Schemas['UpdateRectification']

/** From best to worst, the order the choices are shown in. */
export const RATINGS: Rating[] = ['satisfied', 'basically_satisfied', 'dissatisfied']
export const STATUSES: PollStatus[] = ['open', 'upcoming', 'closed']
export const OUTCOMES: Outcome[] = ['pass', 'warning', 'dismissal', 'no_votes']
/** The API takes 1 to 30 cadres per poll. */
export const MAX_CADRES = 30
/** Under these satisfaction rates: a dismissal (免职), a warning and rectification (诫勉整改). */
export const DISMISSAL_BELOW = 0.6
export const WARNING_BELOW = 0.7

type TagType = 'primary' | 'success' | 'warning' | 'info' | 'danger'

export function statusType(s: PollStatus): TagType {
  return s === 'open' ? 'success' : s === 'upcoming' ? 'primary' : 'info'
}

export function outcomeType(o: Outcome): TagType {
  switch (o) {
    case 'pass':
      return 'success'
    case 'warning':
      return 'warning'
    case 'dismissal':
      return 'danger'
    default:
      return 'info'
  }
}

/** A 0–1 rate as `66.7%`; a dash when there were no votes. */
export function percent(rate: number | null | undefined): string {
  if (rate == null || Number.isNaN(rate)) return '—'
  return `${(Math.round(rate * 1000) / 10).toFixed(1)}%`
}

/** The widths (0–100, summing to 100 when anyone voted) of a cadre's satisfied / basically / dissatisfied bar. */
export function shares(c: Pick<CadreResult, 'satisfied' | 'basically_satisfied' | 'dissatisfied'>): Record<Rating, number> {
  const total = c.satisfied + c.basically_satisfied + c.dissatisfied
  if (!total) return { satisfied: 0, basically_satisfied: 0, dissatisfied: 0 }
  const s = (c.satisfied / total) * 100
  const b = (c.basically_satisfied / total) * 100
  return { satisfied: s, basically_satisfied: b, dissatisfied: Math.max(0, 100 - s - b) }
}

/** The warned cadres of a result, those a rectification was opened for. */
export function warned(r: Pick<PollResults, 'cadres'>): CadreResult[] {
  return r.cadres.filter((c) => c.outcome === 'warning')
}

// ---------- a new poll ----------

export interface CadreRow {
  name: string
  position: string
}

export interface PollForm {
  community_id: string
  title: string
  opens_at: Date | null
  closes_at: Date | null
  rectification_days: number | undefined
  cadres: CadreRow[]
}

export const blankCadre = (): CadreRow => ({ name: '', position: '' })

/** A new poll: opens now, closes in two weeks at 18:00, 30 days to rectify, one empty cadre row. */
export function emptyPollForm(now = new Date(), community_id = ''): PollForm {
  const closes = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 14, 18, 0, 0, 0)
  return { community_id, title: '', opens_at: null, closes_at: closes, rectification_days: 30, cadres: [blankCadre()] }
}

/** Why the form cannot be sent yet ('' when it can): every row needs a name and a position, and the poll closes in the future, after it opens. */
export function pollFormProblem(f: PollForm, now = new Date()): '' | 'community' | 'title' | 'closes' | 'order' | 'cadres' | 'tooMany' {
  if (!f.community_id) return 'community'
  if (!f.title.trim()) return 'title'
  if (!f.closes_at || f.closes_at.getTime() <= now.getTime()) return 'closes'
  if (f.opens_at && f.opens_at.getTime() >= f.closes_at.getTime()) return 'order'
  if (!f.cadres.length || f.cadres.some((c) => !c.name.trim() || !c.position.trim())) return 'cadres'
  if (f.cadres.length > MAX_CADRES) return 'tooMany'
  return ''
}

/** The body of `POST /polls`: trimmed names, instants in UTC, no opening time means now. */
export function pollBody(f: PollForm): CreatePoll {
  return {
    community_id: f.community_id,
    title: f.title.trim(),
    opens_at: f.opens_at ? f.opens_at.toISOString() : null,
    closes_at: (f.closes_at as Date).toISOString(),
    rectification_days: f.rectification_days ?? null,
    cadres: f.cadres.map((c) => ({ name: c.name.trim(), position: c.position.trim() })),
  }
}

// ---------- voting ----------

export type Ballot = Record<string, Rating | undefined>

/** How many of the poll's cadres the ballot rates. */
export function ratedCount(cadres: { id: string }[], ballot: Ballot): number {
  return cadres.filter((c) => !!ballot[c.id]).length
}

/** Every cadre has exactly one rating (what the API demands: else 422 `incomplete`). */
export function ballotComplete(cadres: { id: string }[], ballot: Ballot): boolean {
  return cadres.length > 0 && ratedCount(cadres, ballot) === cadres.length
}

/** The body of `POST /polls/{id}/votes`: one rating per cadre, in the poll's order. */
export function voteBody(cadres: { id: string }[], ballot: Ballot): Schemas['CastVote'] {
  return { ratings: cadres.filter((c) => ballot[c.id]).map((c) => ({ cadre_id: c.id, rating: ballot[c.id] as Rating })) }
}

/** What a voter's page shows: the ballot, or why there is none. */
export type VoteState = 'ballot' | 'voted' | 'closed' | 'upcoming' | 'not_voter'

export function voteState(p: Pick<Poll, 'status' | 'voted' | 'can_vote'>): VoteState {
  if (p.voted) return 'voted'
  if (p.status === 'closed') return 'closed'
  if (p.status === 'upcoming') return 'upcoming'
  return p.can_vote ? 'ballot' : 'not_voter'
}

/** Polls grouped by community (in the order communities are first met), for the phone list. */
export function byCommunity<T extends Pick<Poll, 'community_id' | 'community_name'>>(polls: T[]): { id: string; name: string; polls: T[] }[] {
  const groups = new Map<string, { id: string; name: string; polls: T[] }>()
  for (const p of polls) {
    const g = groups.get(p.community_id) ?? { id: p.community_id, name: p.community_name, polls: [] }
    g.polls.push(p)
    groups.set(p.community_id, g)
  }
  return [...groups.values()]
}

// ---------- rectifications ----------

export interface RectificationForm {
  plan: string
  report: string
  due_on: string
  done: boolean
}

export function rectificationForm(r: Pick<Rectification, 'plan' | 'report' | 'due_on'>): RectificationForm {
  return { plan: r.plan ?? '', report: r.report ?? '', due_on: r.due_on, done: false }
}

/** Done needs a report (else 422 on `report`). */
export function rectificationReady(f: RectificationForm): boolean {
  return !f.done || !!f.report.trim()
}

/**
 * The body of `PATCH /rectifications/{id}`: only what changed (the API keeps what is left out),
 * a blank text left out rather than wiping what was written, `done` only when ticked.
 */
export function rectificationBody(f: RectificationForm, was: Pick<Rectification, 'plan' | 'report' | 'due_on'>): UpdateRectification {
  const body: UpdateRectification = {}
  const plan = f.plan.trim()
  const report = f.report.trim()
  if (plan && plan !== (was.plan ?? '')) body.plan = plan
  if (report && report !== (was.report ?? '')) body.report = report
  if (f.due_on && f.due_on !== was.due_on) body.due_on = f.due_on
  if (f.done) body.done = true
  return body
}

/** `If-Match` for a record at a version. */
export const ifMatch = (version: number) => `"${version}"`
