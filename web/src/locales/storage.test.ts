import { afterEach, describe, expect, test, vi } from 'vitest'

describe('locale choice with storage blocked', () => {
  afterEach(() => {
    vi.restoreAllMocks()
    vi.resetModules()
  })

  test('start-up falls back to zh-CN and choosing a language does not throw', async () => {
    const blocked = () => {
      throw new DOMException('The operation is insecure.', 'SecurityError')
    }
    vi.spyOn(Storage.prototype, 'getItem').mockImplementation(blocked)
    vi.spyOn(Storage.prototype, 'setItem').mockImplementation(blocked)
    vi.resetModules()
    const { i18n, setLocale } = await import('./index')
    expect(i18n.global.locale.value).toBe('zh-CN')
    expect(() => setLocale('en')).not.toThrow()
    expect(i18n.global.locale.value).toBe('en')
  })
})
