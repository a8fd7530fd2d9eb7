// One thing a screen shows (a record, a report, a whole short list): loading / error / data, the
// out-of-order guard, and a reload. `useItem` is the same for one record by id.
import { onMounted, ref, watch, type Ref, type WatchSource } from 'vue'
import { useI18n } from 'vue-i18n'
import { latestOnly } from './latest'
import { messageOf } from './answer'

export interface QueryOptions<T> {
  /** Load when the component mounts (default true). */
  immediate?: boolean
  /** Load again when one of these changes (e.g. the route's id, a filter). */
  watch?: WatchSource[]
  /** Forget the shown data when a watched source changes (a new record, not a refresh). */
  resetOnChange?: boolean
  /** The value before the first answer (default undefined). */
  initial?: T
}

export interface Query<T> {
  data: Ref<T | undefined>
  /** True until the first answer (true from the start, as the screen has nothing to show yet), and while loading. */
  loading: Ref<boolean>
  /** The translated message of the last failed load; '' when it did not fail. */
  error: Ref<string>
  /** Loads (again); resolves true when this load's answer was shown. */
  load: () => Promise<boolean>
}

/** `fetch` returns the data or throws (use `unwrap(api.GET(…))`, or a feature's data.ts helper). */
export function useQuery<T>(fetch: () => Promise<T>, options: QueryOptions<T> = {}): Query<T> {
  const { t, te } = useI18n()
  // Deep, as the screens had it: a screen may change a field of what it shows (a revealed number).
  const data = ref(options.initial) as Ref<T | undefined>
  const loading = ref(true)
  const error = ref('')
  const latest = latestOnly()

  async function load(): Promise<boolean> {
    const current = latest.begin()
    loading.value = true
    error.value = ''
    try {
      const value = await fetch()
      if (!current()) return false
      data.value = value
      return true
    } catch (thrown) {
      if (current()) error.value = messageOf(thrown, t, te)
      return false
    } finally {
      if (current()) loading.value = false
    }
  }

  if (options.watch?.length) {
    watch(options.watch, () => {
      if (options.resetOnChange) data.value = options.initial
      load()
    })
  }
  if (options.immediate !== false) onMounted(load)
  return { data, loading, error, load }
}

/** One record, read again when `id` changes (the detail screens: /things/:id). */
export function useItem<T>(id: WatchSource<string>, fetch: () => Promise<T>, options: Omit<QueryOptions<T>, 'watch'> = {}): Query<T> {
  return useQuery(fetch, { resetOnChange: true, ...options, watch: [id] })
}
