// What the data layer does with an API answer, without Vue: unwrap openapi-fetch's `{data, error}`
// (a problem is thrown), turn what was thrown into the message a screen shows, page through a
// list, and drop empty filters before a query goes out.
import { problemMessage, type ProblemLike, type Translate } from '../../api/problem'

/** What openapi-fetch answers (and what the features' data.ts helpers return). */
export interface Answer<T> {
  data?: T
  error?: unknown
}

/** A page of a list, as every list endpoint answers it. */
export interface Page<T> {
  items: T[]
  total: number
}

/** Thrown by `unwrap`: the problem+json body of a refused call (or none: `problem` undefined). */
export class ProblemError extends Error {
  constructor(readonly problem: ProblemLike | undefined) {
    super(problem?.detail ?? problem?.code ?? 'request failed')
    this.name = 'ProblemError'
  }
}

/** The data of an answer, or throws a `ProblemError` with its problem. */
export async function unwrap<T>(call: Promise<Answer<T>> | Answer<T>): Promise<T> {
  const { data, error } = await call
  if (error !== undefined || data === undefined) throw new ProblemError(error as ProblemLike | undefined)
  return data
}

/** A problem+json body (or something thrown that carries one), else undefined. */
export function problemOf(thrown: unknown): ProblemLike | undefined {
  if (thrown instanceof ProblemError) return thrown.problem
  if (thrown && typeof thrown === 'object' && !(thrown instanceof Error)) {
    const p = thrown as ProblemLike
    if (typeof p.status === 'number' || typeof p.code === 'string' || typeof p.detail === 'string') return p
  }
  return undefined
}

/**
 * The message for whatever a load or an action threw: the problem's translated message, or
 * "network error" when there was no answer (fetch threw, or the body was not a problem).
 */
export function messageOf(thrown: unknown, t: Translate, te: (key: string) => boolean): string {
  if (thrown instanceof ProblemError && thrown.problem) return problemMessage(thrown.problem, t, te)
  const p = problemOf(thrown)
  return p ? problemMessage(p, t, te) : t('errors.network')
}

/** The query without '' / null / undefined values, strings trimmed (an empty filter is no filter). */
export function compact<Q extends Record<string, unknown>>(query: Q): { [K in keyof Q]?: Exclude<Q[K], '' | null> } {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(query)) {
    const value = typeof v === 'string' ? v.trim() : v
    if (value !== '' && value !== null && value !== undefined) out[k] = value
  }
  return out as { [K in keyof Q]?: Exclude<Q[K], '' | null> }
}

/** The most pages `loadAllPages` reads unless told otherwise (10 × 100 records). */
export const MAX_PAGES = 10

/**
 * Every record of a list, 100 a page, up to `maxPages` pages (the lists loaded whole are a
 * street's few dozen teams, units, meetings …), with the list's total (more than the records
 * when the limit cut it short). `page(n, perPage)` reads one page.
 */
export async function readAllPages<T>(page: (page: number, perPage: number) => Promise<Answer<Page<T>>>, maxPages = MAX_PAGES): Promise<Page<T>> {
  const items: T[] = []
  let total = 0
  for (let n = 1; n <= maxPages; n++) {
    const data = await unwrap(page(n, 100))
    items.push(...data.items)
    total = data.total
    if (items.length >= data.total || data.items.length === 0) break
  }
  return { items, total }
}

/** `readAllPages` without the total. */
export async function loadAllPages<T>(page: (page: number, perPage: number) => Promise<Answer<Page<T>>>, maxPages = MAX_PAGES): Promise<T[]> {
  return (await readAllPages(page, maxPages)).items
}
