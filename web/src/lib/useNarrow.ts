// True on a phone-width screen (the same 768 px break the layout's CSS uses), for choices CSS
// cannot make: a table's pager, a description list's columns.
import { onBeforeUnmount, ref } from 'vue'

export function useNarrow(query = '(max-width: 768px)') {
  const mq = typeof window !== 'undefined' && window.matchMedia ? window.matchMedia(query) : null
  const narrow = ref(mq?.matches ?? false)
  const update = (e: MediaQueryListEvent) => {
    narrow.value = e.matches
  }
  mq?.addEventListener('change', update)
  onBeforeUnmount(() => mq?.removeEventListener('change', update))
  return narrow
}
