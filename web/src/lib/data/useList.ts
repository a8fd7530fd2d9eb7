// A paged list screen: filters (optionally mirrored in the address), page and page size, the
// out-of-order guard, loading / error / empty, typed filters debounced, and reload. Any change of
// a filter or of the page size goes back to page 1.
import { computed, reactive, ref, watch, onMounted, onBeforeUnmount, type Ref, type UnwrapNestedRefs } from 'vue'
import { useI18n } from 'vue-i18n'
import { useRoute, useRouter } from 'vue-router'
import { latestOnly } from './latest'
import { messageOf, type Page } from './answer'
import { readFilters, readPositive, writeFilters, type AddressSpec, type Filters } from './address'

export interface ListOptions<F extends Filters, T> extends AddressSpec<F> {
  /** Reads one page for these filters; returns the page or throws (see `unwrap`). */
  fetch: (query: { filters: F; page: number; perPage: number }) => Promise<Page<T>>
  /** Page size (default 20); `pageSizes` are the sizes the address may ask for. */
  perPage?: number
  pageSizes?: readonly number[]
  /** Mirror filters, page and page size in the route query (read at start, replaced on change). */
  address?: boolean
  /** Filters typed into a box: wait this long after the last key (ms, default 300). */
  debounce?: (keyof F)[]
  debounceMs?: number
  /** Load on mount (default true); false when the screen first sets a filter itself. */
  immediate?: boolean
}

export interface List<F extends Filters, T> {
  filters: UnwrapNestedRefs<F>
  page: Ref<number>
  perPage: Ref<number>
  items: Ref<T[]>
  total: Ref<number>
  loading: Ref<boolean>
  error: Ref<string>
  /** Loaded, not failed, and nothing there. */
  empty: Ref<boolean>
  /** Loads the current page again (after a change, or the retry button). */
  load: () => Promise<boolean>
  /** Shows page n (the pager's current-change). */
  toPage: (n: number) => void
  /** Every filter back to its default (which loads from page 1). */
  clear: () => void
  /** Whether any filter differs from its default. */
  filtered: Ref<boolean>
}

export function useList<F extends Filters, T>(options: ListOptions<F, T>): List<F, T> {
  const { t, te } = useI18n()
  const route = options.address ? useRoute() : null
  const router = options.address ? useRouter() : null
  const defaultPerPage = options.perPage ?? 20
  const start = route ? readFilters(route.query, options) : structuredClone(options.defaults)
  const filters = reactive({ ...start }) as UnwrapNestedRefs<F>
  const page = ref(route ? readPositive(route.query, 'page', 1) : 1)
  const perPage = ref(route ? readPositive(route.query, 'per_page', defaultPerPage, options.pageSizes ?? [defaultPerPage]) : defaultPerPage)
  // Deep, as the screens had it: a row may be changed in place (a revealed number).
  const items = ref([]) as Ref<T[]>
  const total = ref(0)
  const loading = ref(true)
  const error = ref('')
  const empty = computed(() => !loading.value && !error.value && items.value.length === 0)
  const same = (a: unknown, b: unknown) => (Array.isArray(a) && Array.isArray(b) ? a.join() === b.join() : a === b)
  const filtered = computed(() => Object.keys(options.defaults).some((k) => !same((filters as F)[k], options.defaults[k])))
  const latest = latestOnly()

  const snapshot = () => ({ ...(filters as F) })

  function syncAddress() {
    if (!route || !router) return
    router.replace({ query: writeFilters(route.query, snapshot(), options.defaults, { page: page.value, perPage: perPage.value, defaultPerPage }) })
  }

  async function load(): Promise<boolean> {
    const current = latest.begin()
    loading.value = true
    error.value = ''
    try {
      const data = await options.fetch({ filters: snapshot(), page: page.value, perPage: perPage.value })
      if (!current()) return false
      items.value = data.items
      total.value = data.total
      return true
    } catch (thrown) {
      if (current()) error.value = messageOf(thrown, t, te)
      return false
    } finally {
      if (current()) loading.value = false
    }
  }

  function fromFirstPage() {
    page.value = 1
    syncAddress()
    load()
  }

  const watched = (v: unknown) => (Array.isArray(v) ? v.join() : v)
  const typed = new Set<keyof F>(options.debounce ?? [])
  const keys = Object.keys(options.defaults) as (keyof F & string)[]
  let typing: ReturnType<typeof setTimeout> | undefined
  watch(
    // A list filter counts by its contents (a state added to the same array is a change).
    (): unknown[] => [...keys.filter((k) => !typed.has(k)).map((k) => watched((filters as F)[k])), perPage.value],
    fromFirstPage,
  )
  if (typed.size) {
    watch(
      () => [...typed].map((k) => (filters as F)[k]),
      () => {
        clearTimeout(typing)
        typing = setTimeout(fromFirstPage, options.debounceMs ?? 300)
      },
    )
  }
  onBeforeUnmount(() => clearTimeout(typing))

  function toPage(n: number) {
    page.value = n
    syncAddress()
    load()
  }

  /** The watchers above then load from page 1. */
  function clear() {
    Object.assign(filters, structuredClone(options.defaults))
  }

  if (options.immediate !== false) onMounted(load)
  return { filters, page, perPage, items, total, loading, error, empty, load, toPage, clear, filtered }
}
