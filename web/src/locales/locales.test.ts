import { describe, expect, test } from 'vitest'
import zhCN from './zh-CN'
import en from './en'

function keys(obj: object, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([k, v]) => (v && typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]))
}

describe('locales', () => {
  test('zh-CN and en have exactly the same keys', () => {
    expect(keys(en).sort()).toEqual(keys(zhCN).sort())
  })
  test('no message is empty', () => {
    for (const [name, messages] of Object.entries({ zhCN, en })) {
      for (const k of keys(messages)) {
        const value = k.split('.').reduce((o: any, p) => o[p], messages)
        expect(value, `${name}:${k}`).not.toBe('')
      }
    }
  })
  test('every error code the API documents for these screens is translated', () => {
    for (const code of ['invalid_credentials', 'account_locked', 'rate_limited', 'region_not_empty', 'branch_not_empty', 'precondition_failed', 'validation_failed']) {
      expect(keys(zhCN)).toContain(`errors.${code}`)
    }
  })
})
