import { createI18n } from 'vue-i18n'
import zhCN from './zh-CN'
import en from './en'
import { setLanguage } from '../api/authFetch'

export type Locale = 'zh-CN' | 'en'
const KEY = 'tongxin.locale'

/** The saved choice; zh-CN when there is none or storage is blocked (a webview may throw on access). */
function initial(): Locale {
  try {
    return localStorage.getItem(KEY) === 'en' ? 'en' : 'zh-CN'
  } catch {
    return 'zh-CN'
  }
}

export const i18n = createI18n({
  legacy: false,
  locale: initial(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
})
setLanguage(initial())

export function setLocale(l: Locale): void {
  i18n.global.locale.value = l
  try {
    localStorage.setItem(KEY, l)
  } catch {
    // Storage blocked or full: the choice lasts for this page only.
  }
  document.documentElement.lang = l
  setLanguage(l)
}
