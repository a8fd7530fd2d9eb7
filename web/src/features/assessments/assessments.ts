// Pure helpers of the five-good (五好) score sheet: the goods in order with their items, who may
// enter scores, the communities a caller picks from, the years offered, what a save sends, what is
// still unscored, and a save's field errors put back on the items they belong to.
import type { Schemas } from '../../api/client'
import type { ProblemLike } from '../../api/problem'

export type Assessment = Schemas['AssessmentView']
export type Item = Schemas['AssessmentItem']
export type Good = Schemas['Good']
export type Grant = Schemas['GrantView']
type Region = { id: string; name: string; level: string; parent_id?: string | null }

export const GOODS: Good[] = ['leadership', 'cadre_team', 'work_mechanisms', 'management_service', 'residents_response']
/** The first year the API keeps sheets for. */
export const FIRST_YEAR = 2000

/** The goods in order, each with its total and items (goods the sheet has no total for still show their items). */
export function goodsOf(a: Assessment): { good: Good; label: string; score: number; max_score: number; items: Item[] }[] {
  const order = [...GOODS, ...a.goods.map((g) => g.good).filter((g) => !GOODS.includes(g))]
  return order
    .map((good) => {
      const total = a.goods.find((g) => g.good === good)
      const items = a.items.filter((i) => i.good === good)
      const max = total?.max_score ?? items.reduce((n, i) => n + i.max_score, 0)
      return { good, label: total?.label ?? good, score: total?.score ?? 0, max_score: max, items }
    })
    .filter((g) => g.items.length)
}

/** Street staff (and admin) enter the assessors' scores; community staff only read their sheet. */
export function mayEnter(grants: Grant[] | undefined): boolean {
  return (grants ?? []).some((g) => g.role === 'street_staff' || g.role === 'admin')
}

/** The communities a caller picks from: those of the regions they see (a street's children, or their own community). */
export function communitiesOf(regions: Region[]): { id: string; name: string }[] {
  return regions.filter((r) => r.level === 'community').map((r) => ({ id: r.id, name: r.name }))
}

/** The community a sheet opens on: the one asked for if the caller sees it, else a community staff member's own, else the first. */
export function startCommunity(asked: string, grants: Grant[] | undefined, list: { id: string }[]): string {
  if (asked && list.some((c) => c.id === asked)) return asked
  const own = (grants ?? []).find((g) => g.role === 'community_staff' && g.scope_id && list.some((c) => c.id === g.scope_id))
  return own?.scope_id ?? list[0]?.id ?? ''
}

/** This year and the four before it (the API refuses years to come). */
export function yearChoices(thisYear: number, count = 5): number[] {
  return Array.from({ length: count }, (_, i) => thisYear - i).filter((y) => y >= FIRST_YEAR)
}

/** The year from the address when it is one the API takes, else this year. */
export function yearFrom(v: unknown, thisYear: number): number {
  const n = Number(v)
  return Number.isInteger(n) && n >= FIRST_YEAR && n <= thisYear ? n : thisYear
}

export type Draft = { score: number | null; note: string }

/** The editable state of the entered items of a sheet. */
export function draftsOf(a: Assessment): Record<string, Draft> {
  return Object.fromEntries(a.items.filter((i) => i.source === 'entered').map((i) => [i.key, { score: i.score ?? null, note: i.note ?? '' }]))
}

/** What a save sends: every entered item that has a score (the API keeps the others unscored). */
export function entriesOf(drafts: Record<string, Draft>): { key: string; score: number; note: string | null }[] {
  return Object.entries(drafts)
    .filter(([, d]) => d.score != null && !Number.isNaN(d.score))
    .map(([key, d]) => ({ key, score: d.score as number, note: d.note.trim() || null }))
}

/** Whether the drafts differ from the sheet as saved. */
export function changed(a: Assessment, drafts: Record<string, Draft>): boolean {
  const saved = draftsOf(a)
  return Object.entries(drafts).some(([k, d]) => (saved[k]?.score ?? null) !== (d.score ?? null) || (saved[k]?.note ?? '') !== d.note.trim())
}

/** The entered items still without a score in the drafts (finalizing needs none). */
export function unscored(a: Assessment, drafts: Record<string, Draft>): Item[] {
  return a.items.filter((i) => i.source === 'entered' && (drafts[i.key]?.score == null || Number.isNaN(drafts[i.key]?.score as number)))
}

/** A save's field errors (`entries[2].score`) by the key of the item sent at that index. */
export function entryErrors(p: ProblemLike | undefined, sent: { key: string }[], translate?: (code: string) => string | null): Record<string, string> {
  const out: Record<string, string> = {}
  for (const e of p?.errors ?? []) {
    const m = /^entries\[(\d+)\]/.exec(e.field)
    const key = m ? sent[Number(m[1])]?.key : undefined
    if (key && !(key in out)) out[key] = (translate && translate(e.code)) || e.message
  }
  return out
}

/** The grade's tag colour. */
export function gradeType(grade: string): 'success' | 'primary' | 'warning' | 'danger' | 'info' {
  switch (grade) {
    case 'excellent':
      return 'success'
    case 'good':
      return 'primary'
    case 'pass':
      return 'warning'
    case 'fail':
      return 'danger'
    default:
      return 'info'
  }
}

/** A score with at most one decimal (`9.3`, `10`); a dash when not scored. */
export function score(n: number | null | undefined): string {
  if (n == null || Number.isNaN(n)) return '—'
  return String(Math.round(n * 10) / 10)
}
