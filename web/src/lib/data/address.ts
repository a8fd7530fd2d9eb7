// Filters and paging in the address bar, without Vue: read typed values from a route query
// (falling back to the defaults for a missing or unknown value), and write back only what
// differs from the defaults, so "back" from a record returns to the same page of the same list.
import type { LocationQuery, LocationQueryRaw } from 'vue-router'

/** A filter's value; a list (several states at once) travels comma-separated in the address. */
export type FilterValue = string | number | boolean | string[] | undefined
export type Filters = Record<string, FilterValue>

export interface AddressSpec<F extends Filters> {
  defaults: F
  /** Keys whose default is undefined but whose value is a number (e.g. an age bound). */
  numbers?: (keyof F)[]
  /** The values a key may take (an enum); anything else in the address means the default. */
  allowed?: { [K in keyof F]?: readonly (F[K] extends (infer E)[] ? E : F[K])[] }
}

const text = (q: LocationQuery, k: string): string | undefined => {
  const v = q[k]
  return typeof v === 'string' ? v : undefined
}

/** The filters an address asks for, each typed like its default. */
export function readFilters<F extends Filters>(q: LocationQuery, spec: AddressSpec<F>): F {
  const out = structuredClone(spec.defaults)
  for (const key of Object.keys(spec.defaults) as (keyof F & string)[]) {
    const raw = text(q, key)
    if (raw === undefined || raw === '') continue
    const d = spec.defaults[key]
    let value: FilterValue
    if (Array.isArray(d)) value = raw.split(',').filter(Boolean)
    else if (typeof d === 'number' || (d === undefined && spec.numbers?.includes(key))) {
      const n = Number(raw)
      if (!Number.isFinite(n)) continue
      value = n
    } else if (typeof d === 'boolean') value = raw === 'true' || raw === '1'
    else value = raw
    const allowed = spec.allowed?.[key] as readonly unknown[] | undefined
    if (allowed && (Array.isArray(value) ? !value.every((v) => allowed.includes(v)) : !allowed.includes(value))) continue
    out[key] = value as F[typeof key]
  }
  return out
}

/** A positive whole number from the address (a page), else the fallback. */
export function readPositive(q: LocationQuery, key: string, fallback: number, allowed?: readonly number[]): number {
  const n = Number(text(q, key))
  if (!Number.isInteger(n) || n < 1) return fallback
  return allowed && !allowed.includes(n) ? fallback : n
}

/**
 * The address query for these filters: other keys of `current` kept, filters equal to their
 * default (or empty) left out, `page` only past the first, `per_page` only when not the default.
 */
export function writeFilters<F extends Filters>(
  current: LocationQuery,
  filters: F,
  defaults: F,
  paging?: { page: number; perPage: number; defaultPerPage: number },
): LocationQueryRaw {
  const out: LocationQueryRaw = {}
  for (const [k, v] of Object.entries(current)) if (!(k in defaults) && k !== 'page' && k !== 'per_page') out[k] = v
  for (const [k, v] of Object.entries(filters)) {
    const value = typeof v === 'string' ? v.trim() : Array.isArray(v) ? v.join(',') : v
    const base = defaults[k]
    if (value === undefined || value === null || value === '' || value === (Array.isArray(base) ? base.join(',') : base)) continue
    out[k] = String(value)
  }
  if (paging && paging.page > 1) out.page = String(paging.page)
  if (paging && paging.perPage !== paging.defaultPerPage) out.per_page = String(paging.perPage)
  return out
}
