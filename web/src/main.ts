import { createApp } from 'vue'
import { createPinia } from 'pinia'
import ElementPlus from 'element-plus'
import 'element-plus/dist/index.css'
import App from './App.vue'
import { router } from './router'
import { i18n } from './locales'
import { dropLegacyTokens, onSessionChange } from './api/session'

// Tokens are no longer kept in localStorage (see docs/security-web.md): forget any an older version left.
dropLegacyTokens()

onSessionChange((signedIn) => {
  if (!signedIn && router.currentRoute.value.name !== 'login') router.push({ name: 'login' })
})

createApp(App).use(createPinia()).use(router).use(i18n).use(ElementPlus).mount('#app')
