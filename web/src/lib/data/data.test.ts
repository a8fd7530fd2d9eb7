import { describe, expect, test, vi } from 'vitest'
import { defineComponent, h, nextTick } from 'vue'
import { flushPromises, mount } from '@vue/test-utils'
import { createMemoryHistory, createRouter, type Router } from 'vue-router'
import { i18n } from '../../locales'
import { compact, latestOnly, loadAllPages, messageOf, ProblemError, readFilters, unwrap, useItem, useList, useMore, useMutation, useQuery, writeFilters, type Page } from '.'

/** A promise resolved from outside, to answer requests in any order. */
function deferred<T>() {
  let resolve!: (v: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

const t = (k: string) => i18n.global.t(k)
const te = (k: string) => i18n.global.te(k)

/** Runs a composable inside a mounted component with i18n and a router at `at`. */
async function withSetup<R>(setup: () => R, at = '/list'): Promise<{ result: R; router: Router; unmount: () => void }> {
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/list', component: { render: () => null } }] })
  await router.push(at)
  await router.isReady()
  let result!: R
  const wrapper = mount(
    defineComponent({
      setup() {
        result = setup()
        return () => h('div')
      },
    }),
    { global: { plugins: [i18n, router] } },
  )
  return { result, router, unmount: () => wrapper.unmount() }
}

describe('latestOnly', () => {
  test('only the newest load is current', () => {
    const latest = latestOnly()
    const a = latest.begin()
    const b = latest.begin()
    expect(a()).toBe(false)
    expect(b()).toBe(true)
  })
})

describe('answers', () => {
  test('unwrap gives the data, or throws the problem', async () => {
    expect(await unwrap(Promise.resolve({ data: 1 }))).toBe(1)
    const thrown = await unwrap(Promise.resolve({ error: { status: 409, code: 'invalid_transition' } })).catch((e) => e)
    expect(thrown).toBeInstanceOf(ProblemError)
    expect(thrown.problem).toEqual({ status: 409, code: 'invalid_transition' })
  })
  test('a problem is translated; anything else thrown is a network error', () => {
    expect(messageOf(new ProblemError({ status: 403, code: 'forbidden', detail: 'no' }), t, te)).toBe(t('errors.forbidden'))
    expect(messageOf({ status: 400, code: 'brand_new_code', detail: 'as the server says' }, t, te)).toBe('as the server says')
    expect(messageOf(new TypeError('Failed to fetch'), t, te)).toBe(t('errors.network'))
  })
  test('compact drops empty filters and trims text', () => {
    expect(compact({ q: '  ', community_id: 'c1', kind: '', n: 0, flag: false, gone: undefined, none: null })).toEqual({ community_id: 'c1', n: 0, flag: false })
  })
  test('loadAllPages reads 100 a page until the total, and stops at the page limit', async () => {
    const records = Array.from({ length: 250 }, (_, i) => i)
    const page = vi.fn(async (n: number, per: number) => ({ data: { items: records.slice((n - 1) * per, n * per), total: records.length } }))
    expect(await loadAllPages(page)).toEqual(records)
    expect(page.mock.calls.map((c) => c.slice(0, 2))).toEqual([[1, 100], [2, 100], [3, 100]])
    page.mockClear()
    expect(await loadAllPages(page, 2)).toHaveLength(200)
    expect(page).toHaveBeenCalledTimes(2)
  })
  test('loadAllPages throws the problem of a refused page', async () => {
    const thrown = await loadAllPages(async () => ({ error: { status: 403, code: 'forbidden' } })).catch((e) => e)
    expect(thrown).toBeInstanceOf(ProblemError)
  })
})

describe('the address', () => {
  const spec = {
    defaults: { q: '', status: 'active', age_min: undefined as number | undefined, vacant: false, year: 2026 },
    numbers: ['age_min' as const],
    allowed: { status: ['active', 'historical', 'all'] },
  }
  test('reads typed filters and falls back to the default for nonsense', () => {
    expect(readFilters({ q: '王', status: 'bogus', age_min: '60', vacant: 'true', year: 'x' }, spec)).toEqual({ q: '王', status: 'active', age_min: 60, vacant: true, year: 2026 })
  })
  test('writes only what differs from the defaults, keeps other keys, and the page past the first', () => {
    expect(writeFilters({ tab: 'map', q: 'old' }, { ...spec.defaults, q: '王', status: 'all' }, spec.defaults, { page: 3, perPage: 50, defaultPerPage: 20 })).toEqual({ tab: 'map', q: '王', status: 'all', page: '3', per_page: '50' })
    expect(writeFilters({}, spec.defaults, spec.defaults, { page: 1, perPage: 20, defaultPerPage: 20 })).toEqual({})
  })
})

describe('useQuery', () => {
  test('an older answer arriving last is dropped', async () => {
    const answers = [deferred<string>(), deferred<string>()]
    let n = 0
    const { result } = await withSetup(() => useQuery(() => answers[n++].promise, { immediate: false }))
    expect(result.loading.value).toBe(true)
    const first = result.load()
    const second = result.load()
    answers[1].resolve('new')
    expect(await second).toBe(true)
    expect(result.loading.value).toBe(false)
    answers[0].resolve('old')
    expect(await first).toBe(false)
    expect(result.data.value).toBe('new')
  })
  test('an older failure arriving last does not show an error', async () => {
    const answers = [deferred<string>(), deferred<string>()]
    let n = 0
    const { result } = await withSetup(() => useQuery(() => answers[n++].promise, { immediate: false }))
    const first = result.load()
    const second = result.load()
    answers[1].resolve('ok')
    await second
    answers[0].reject(new ProblemError({ status: 500 }))
    await first
    expect(result.error.value).toBe('')
    expect(result.data.value).toBe('ok')
  })
  test('a refusal becomes the translated message; a retry clears it', async () => {
    let fail = true
    const { result } = await withSetup(() => useQuery(() => (fail ? unwrap(Promise.resolve({ error: { status: 404, code: 'not_found' } })) : Promise.resolve(7))))
    await flushPromises()
    expect(result.error.value).toBe(t('errors.not_found'))
    expect(result.loading.value).toBe(false)
    fail = false
    await result.load()
    expect(result.error.value).toBe('')
    expect(result.data.value).toBe(7)
  })
  test('useItem forgets the shown record and reads again when the id changes', async () => {
    const { ref } = await import('vue')
    const which = ref('a')
    const answers: Record<string, ReturnType<typeof deferred<string>>> = {}
    const { result } = await withSetup(() => useItem(which, () => (answers[which.value] = deferred<string>()).promise))
    await flushPromises()
    answers.a.resolve('record a')
    await flushPromises()
    expect(result.data.value).toBe('record a')
    which.value = 'b'
    await nextTick()
    expect(result.data.value).toBeUndefined()
    expect(result.loading.value).toBe(true)
    answers.b.resolve('record b')
    await flushPromises()
    expect(result.data.value).toBe('record b')
  })
})

describe('useList', () => {
  const defaults = { q: '', status: 'active' }
  const pageOf = (...items: string[]): Page<string> => ({ items, total: items.length })

  test('starts from the filters and page in the address, and writes changes back (page 1 again)', async () => {
    const fetch = vi.fn(async () => pageOf('x'))
    const { result, router } = await withSetup(
      () => useList({ defaults, allowed: { status: ['active', 'all'] }, address: true, pageSizes: [20, 50], fetch }),
      '/list?status=all&page=3&per_page=50&tab=keep',
    )
    await flushPromises()
    expect(fetch).toHaveBeenLastCalledWith({ filters: { q: '', status: 'all' }, page: 3, perPage: 50 })
    result.filters.status = 'active'
    await flushPromises()
    expect(result.page.value).toBe(1)
    expect(router.currentRoute.value.query).toEqual({ per_page: '50', tab: 'keep' })
    expect(fetch).toHaveBeenLastCalledWith({ filters: { q: '', status: 'active' }, page: 1, perPage: 50 })
    result.toPage(2)
    await flushPromises()
    expect(router.currentRoute.value.query).toEqual({ page: '2', per_page: '50', tab: 'keep' })
    expect(result.items.value).toEqual(['x'])
  })

  test('without the address option the route is left alone', async () => {
    const { result, router } = await withSetup(() => useList({ defaults, fetch: async () => pageOf() }), '/list?status=all')
    await flushPromises()
    expect(result.filters.status).toBe('active')
    result.filters.status = 'all'
    await flushPromises()
    expect(router.currentRoute.value.query).toEqual({ status: 'all' })
    expect(result.empty.value).toBe(true)
  })

  test('a slow answer to an old filter never replaces the newer one', async () => {
    const answers: Record<string, ReturnType<typeof deferred<Page<string>>>> = {}
    const fetch = ({ filters }: { filters: typeof defaults }) => (answers[filters.status] = deferred<Page<string>>()).promise
    const { result } = await withSetup(() => useList({ defaults, fetch, immediate: false }))
    result.filters.status = 'all'
    await nextTick()
    result.filters.status = 'historical'
    await nextTick()
    answers.historical.resolve(pageOf('h1', 'h2'))
    await flushPromises()
    answers.all.resolve(pageOf('a1'))
    await flushPromises()
    expect(result.items.value).toEqual(['h1', 'h2'])
    expect(result.total.value).toBe(2)
    expect(result.loading.value).toBe(false)
  })

  test('typed filters wait for the typing to stop', async () => {
    vi.useFakeTimers()
    try {
      const fetch = vi.fn(async () => pageOf())
      const { result } = await withSetup(() => useList({ defaults, debounce: ['q'], fetch, immediate: false }))
      result.filters.q = '王'
      await nextTick()
      result.filters.q = '王五'
      await nextTick()
      expect(fetch).not.toHaveBeenCalled()
      vi.advanceTimersByTime(300)
      expect(fetch).toHaveBeenCalledTimes(1)
      expect(fetch).toHaveBeenLastCalledWith({ filters: { q: '王五', status: 'active' }, page: 1, perPage: 20 })
    } finally {
      vi.useRealTimers()
    }
  })

  test('an error is shown, and is not empty', async () => {
    const { result } = await withSetup(() => useList({ defaults, fetch: async () => Promise.reject(new TypeError('offline')) }))
    await flushPromises()
    expect(result.error.value).toBe(t('errors.network'))
    expect(result.empty.value).toBe(false)
  })
})

describe('useMutation', () => {
  test('a refusal gives the message and field errors (no toast for a form), success the data', async () => {
    const call = vi.fn(async (name: string) =>
      name ? { data: { id: '1', name } } : { error: { status: 422, code: 'validation_failed', errors: [{ field: 'name', code: 'required', message: 'name is required' }] } },
    )
    const { result } = await withSetup(() => useMutation(call, { toast: false }))
    expect(await result.run('')).toEqual({ ok: false })
    expect(result.message.value).toBe(t('errors.validation_failed'))
    expect(result.fields.value.name).toBeTruthy()
    expect(result.busy.value).toBe(false)
    expect(await result.run('x')).toEqual({ ok: true, data: { id: '1', name: 'x' } })
    expect(result.message.value).toBe('')
  })
  test('no answer at all is a network error', async () => {
    const { result } = await withSetup(() => useMutation(async () => Promise.reject(new TypeError('offline')), { toast: false }))
    expect(await result.run()).toEqual({ ok: false })
    expect(result.message.value).toBe(t('errors.network'))
  })
})

describe('list filters', () => {
  test('a list filter travels comma-separated in the address, and counts by its contents', async () => {
    const fetch = vi.fn(async () => ({ items: [] as string[], total: 0 }))
    const { result, router } = await withSetup(
      () => useList({ defaults: { statuses: [] as string[] }, allowed: { statuses: ['reported', 'accepted', 'closed'] }, address: true, fetch }),
      '/list?statuses=reported,accepted',
    )
    await flushPromises()
    expect(fetch).toHaveBeenLastCalledWith({ filters: { statuses: ['reported', 'accepted'] }, page: 1, perPage: 20 })
    result.filters.statuses.push('closed')
    await flushPromises()
    expect(router.currentRoute.value.query).toEqual({ statuses: 'reported,accepted,closed' })
    expect(result.filtered.value).toBe(true)
    result.clear()
    await flushPromises()
    expect(router.currentRoute.value.query).toEqual({})
    expect(result.filtered.value).toBe(false)
    expect(fetch).toHaveBeenCalledTimes(3)
  })
  test('an unknown value in a list filter means the default', () => {
    expect(readFilters({ statuses: 'reported,bogus' }, { defaults: { statuses: [] as string[] }, allowed: { statuses: ['reported'] } })).toEqual({ statuses: [] })
  })
})

describe('useMore', () => {
  test('appends the next page, once per record, and a reload drops a "more" still in flight', async () => {
    const pages: Record<number, ReturnType<typeof deferred<Page<{ id: string }>>>> = {}
    const fetch = (page: number) => (pages[page] = deferred<Page<{ id: string }>>()).promise
    const { result } = await withSetup(() => useMore(fetch, { key: (x) => x.id }))
    await flushPromises()
    pages[1].resolve({ items: [{ id: 'a' }, { id: 'b' }], total: 4 })
    await flushPromises()
    expect(result.hasMore.value).toBe(true)
    const more = result.loadMore()
    pages[2].resolve({ items: [{ id: 'b' }, { id: 'c' }], total: 4 })
    await more
    expect(result.items.value.map((x) => x.id)).toEqual(['a', 'b', 'c'])
    const stale = result.loadMore()
    const reload = result.load()
    pages[1].resolve({ items: [{ id: 'z' }], total: 1 })
    await reload
    pages[3].resolve({ items: [{ id: 'd' }], total: 4 })
    await stale
    expect(result.items.value.map((x) => x.id)).toEqual(['z'])
    expect(result.hasMore.value).toBe(false)
  })
})
