// A list read a page at a time with a "more" button under it (the phone lists: polls to vote in,
// my concerns, activities to join): the first page with loading / error and the out-of-order
// guard, then each further page appended. A reload (a changed tab) drops a "more" still in flight.
import { computed, onMounted, ref, watch, type Ref, type WatchSource } from 'vue'
import { useI18n } from 'vue-i18n'
import { latestOnly } from './latest'
import { messageOf, type Page } from './answer'

export interface MoreOptions<T> {
  /** Load the first page on mount (default true). */
  immediate?: boolean
  /** Start again from the first page when one of these changes. */
  watch?: WatchSource[]
  /** Drop a record of a later page already shown (a list that moved meanwhile), by this key. */
  key?: (item: T) => string
}

export function useMore<T>(fetch: (page: number) => Promise<Page<T>>, options: MoreOptions<T> = {}) {
  const { t, te } = useI18n()
  const items = ref([]) as Ref<T[]>
  const total = ref(0)
  const page = ref(1)
  const loading = ref(true)
  const more = ref(false)
  const error = ref('')
  const hasMore = computed(() => items.value.length < total.value)
  const latest = latestOnly()

  /** The first page again. */
  async function load(): Promise<boolean> {
    const current = latest.begin()
    loading.value = true
    error.value = ''
    try {
      const data = await fetch(1)
      if (!current()) return false
      items.value = data.items
      total.value = data.total
      page.value = 1
      return true
    } catch (thrown) {
      if (current()) error.value = messageOf(thrown, t, te)
      return false
    } finally {
      if (current()) loading.value = false
    }
  }

  /** The next page, appended; a failure leaves the list and the button as they were. */
  async function loadMore(): Promise<void> {
    const current = latest.begin()
    more.value = true
    try {
      const data = await fetch(page.value + 1)
      if (!current()) return
      const key = options.key
      const seen = key ? new Set(items.value.map(key)) : null
      items.value = [...items.value, ...(seen && key ? data.items.filter((x) => !seen.has(key(x))) : data.items)]
      total.value = data.total
      page.value += 1
    } catch {
      // the button stays: tapping it again tries again
    } finally {
      more.value = false
    }
  }

  if (options.watch?.length) watch(options.watch, load)
  if (options.immediate !== false) onMounted(load)
  return { items, total, page, loading, more, error, hasMore, load, loadMore }
}
