import { describe, expect, it } from 'vitest'
import {
  ballotComplete,
  byCommunity,
  emptyPollForm,
  ifMatch,
  outcomeType,
  percent,
  pollBody,
  pollFormProblem,
  ratedCount,
  rectificationBody,
  rectificationForm,
  rectificationReady,
  shares,
  voteBody,
  voteState,
  warned,
  type PollForm,
} from './polls'

const cadres = [{ id: 'a' }, { id: 'b' }, { id: 'c' }]

describe('ballots', () => {
  it('is complete only when every cadre has a rating', () => {
    expect(ballotComplete(cadres, {})).toBe(false)
    expect(ballotComplete(cadres, { a: 'satisfied', b: 'dissatisfied' })).toBe(false)
    expect(ratedCount(cadres, { a: 'satisfied', b: 'dissatisfied' })).toBe(2)
    expect(ballotComplete(cadres, { a: 'satisfied', b: 'dissatisfied', c: 'basically_satisfied' })).toBe(true)
    // A rating for someone not in the poll does not count.
    expect(ballotComplete(cadres, { a: 'satisfied', b: 'satisfied', x: 'satisfied' })).toBe(false)
    expect(ballotComplete([], {})).toBe(false)
  })
  it('sends one rating per cadre in the poll order, nothing for strangers', () => {
    expect(voteBody(cadres, { c: 'dissatisfied', a: 'satisfied', b: 'basically_satisfied', x: 'satisfied' })).toEqual({
      ratings: [
        { cadre_id: 'a', rating: 'satisfied' },
        { cadre_id: 'b', rating: 'basically_satisfied' },
        { cadre_id: 'c', rating: 'dissatisfied' },
      ],
    })
  })
  it('shows 已投票 before anything else, then closed, upcoming, the ballot or why not', () => {
    expect(voteState({ status: 'open', voted: true, can_vote: false })).toBe('voted')
    expect(voteState({ status: 'closed', voted: true, can_vote: false })).toBe('voted')
    expect(voteState({ status: 'closed', voted: false, can_vote: false })).toBe('closed')
    expect(voteState({ status: 'upcoming', voted: false, can_vote: false })).toBe('upcoming')
    expect(voteState({ status: 'open', voted: false, can_vote: true })).toBe('ballot')
    expect(voteState({ status: 'open', voted: false, can_vote: false })).toBe('not_voter')
  })
})

describe('results', () => {
  it('colours outcomes: pass green, warning amber, dismissal red, no votes grey', () => {
    expect(outcomeType('pass')).toBe('success')
    expect(outcomeType('warning')).toBe('warning')
    expect(outcomeType('dismissal')).toBe('danger')
    expect(outcomeType('no_votes')).toBe('info')
  })
  it('shows rates with one decimal, a dash without votes', () => {
    expect(percent(2 / 3)).toBe('66.7%')
    expect(percent(1)).toBe('100.0%')
    expect(percent(0.6)).toBe('60.0%')
    expect(percent(null)).toBe('—')
  })
  it('splits a bar into the three shares', () => {
    expect(shares({ satisfied: 1, basically_satisfied: 1, dissatisfied: 2 })).toEqual({ satisfied: 25, basically_satisfied: 25, dissatisfied: 50 })
    expect(shares({ satisfied: 0, basically_satisfied: 0, dissatisfied: 0 })).toEqual({ satisfied: 0, basically_satisfied: 0, dissatisfied: 0 })
    const s = shares({ satisfied: 1, basically_satisfied: 1, dissatisfied: 1 })
    expect(s.satisfied + s.basically_satisfied + s.dissatisfied).toBeCloseTo(100)
  })
  it('lists the warned cadres', () => {
    const c = (name: string, outcome: 'pass' | 'warning' | 'dismissal') => ({ id: name, name, position: '', satisfied: 0, basically_satisfied: 0, dissatisfied: 0, total: 0, outcome })
    expect(warned({ cadres: [c('甲', 'pass'), c('乙', 'warning'), c('丙', 'dismissal')] }).map((x) => x.name)).toEqual(['乙'])
  })
})

describe('a new poll', () => {
  const now = new Date(2026, 10, 23, 10, 0)
  const ready = (): PollForm => ({ ...emptyPollForm(now, 'c1'), title: ' 2026年测评 ', cadres: [{ name: ' 王丽 ', position: '书记' }] })
  it('closes in two weeks at 18:00 by default, with 30 days to rectify', () => {
    const f = emptyPollForm(now)
    expect(f.closes_at).toEqual(new Date(2026, 11, 7, 18, 0))
    expect(f.rectification_days).toBe(30)
    expect(f.cadres).toHaveLength(1)
  })
  it('says what is missing', () => {
    expect(pollFormProblem(ready(), now)).toBe('')
    expect(pollFormProblem({ ...ready(), community_id: '' }, now)).toBe('community')
    expect(pollFormProblem({ ...ready(), title: '  ' }, now)).toBe('title')
    expect(pollFormProblem({ ...ready(), closes_at: new Date(2026, 10, 23, 9, 0) }, now)).toBe('closes')
    expect(pollFormProblem({ ...ready(), opens_at: new Date(2026, 11, 8) }, now)).toBe('order')
    expect(pollFormProblem({ ...ready(), cadres: [{ name: '王丽', position: '' }] }, now)).toBe('cadres')
    expect(pollFormProblem({ ...ready(), cadres: [] }, now)).toBe('cadres')
    expect(pollFormProblem({ ...ready(), cadres: Array.from({ length: 31 }, () => ({ name: 'x', position: 'y' })) }, now)).toBe('tooMany')
  })
  it('sends trimmed text and instants in UTC; no opening time means now', () => {
    const f = ready()
    expect(pollBody(f)).toEqual({
      community_id: 'c1',
      title: '2026年测评',
      opens_at: null,
      closes_at: f.closes_at!.toISOString(),
      rectification_days: 30,
      cadres: [{ name: '王丽', position: '书记' }],
    })
  })
})

describe('open polls on a phone', () => {
  it('are grouped by community in the order met', () => {
    const p = (id: string, community_id: string, community_name: string) => ({ id, community_id, community_name })
    const g = byCommunity([p('1', 'x', '斜桥巷社区'), p('2', 'y', '新丰街社区'), p('3', 'x', '斜桥巷社区')])
    expect(g.map((x) => [x.name, x.polls.map((q) => q.id)])).toEqual([
      ['斜桥巷社区', ['1', '3']],
      ['新丰街社区', ['2']],
    ])
  })
})

describe('rectifications', () => {
  const was = { plan: '每周接待', report: null, due_on: '2026-12-23' }
  it('needs a report to be marked done', () => {
    expect(rectificationReady({ ...rectificationForm(was), done: true })).toBe(false)
    expect(rectificationReady({ ...rectificationForm(was), done: true, report: '已走访' })).toBe(true)
    expect(rectificationReady(rectificationForm(was))).toBe(true)
  })
  it('sends only what changed', () => {
    expect(rectificationBody(rectificationForm(was), was)).toEqual({})
    expect(rectificationBody({ ...rectificationForm(was), plan: ' 每周二接待 ', report: '  ' }, was)).toEqual({ plan: '每周二接待' })
    expect(rectificationBody({ ...rectificationForm(was), report: '已走访', due_on: '2027-01-10', done: true }, was)).toEqual({ report: '已走访', due_on: '2027-01-10', done: true })
  })
  it('quotes the version for If-Match', () => {
    expect(ifMatch(3)).toBe('"3"')
  })
})
