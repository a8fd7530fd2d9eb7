import { createI18n } from 'vue-i18n'
import zhCN from './zh-CN'
import en from './en'
import { setLanguage } from '../api/authFetch'

export type Locale = 'zh-CN' | 'en'
const KEY = 'tongxin.locale'

function initial(): Locale {
  return localStorage.getItem(KEY) === 'en' ? 'en' : 'zh-CN'
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
  localStorage.setItem(KEY, l)
  document.documentElement.lang = l
  setLanguage(l)
}
