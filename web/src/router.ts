import { createRouter, createWebHistory } from 'vue-router'
import { loadTokens } from './api/session'

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/login', name: 'login', component: () => import('./features/auth/LoginPage.vue'), meta: { title: 'auth.signIn', public: true } },
    {
      path: '/',
      component: () => import('./layout/AppLayout.vue'),
      children: [
        { path: '', redirect: '/regions' },
        { path: 'regions', name: 'regions', component: () => import('./features/regions/RegionsPage.vue'), meta: { title: 'nav.regions' } },
        { path: 'branches', name: 'branches', component: () => import('./features/branches/BranchesPage.vue'), meta: { title: 'nav.branches' } },
        { path: 'grids', name: 'grids', component: () => import('./features/grids/GridsPage.vue'), meta: { title: 'nav.grids' } },
        { path: 'households', name: 'households', component: () => import('./features/households/HouseholdsPage.vue'), meta: { title: 'nav.households' } },
        { path: 'coverage', name: 'coverage', component: () => import('./features/visits/CoveragePage.vue'), meta: { title: 'nav.coverage' } },
        { path: 'my-grid', name: 'my-grid', component: () => import('./features/grids/MyGridPage.vue'), meta: { title: 'nav.myGrid' } },
        { path: 'me', name: 'me', component: () => import('./features/me/MePage.vue'), meta: { title: 'nav.me' } },
      ],
    },
    { path: '/:rest(.*)*', redirect: '/regions' },
  ],
})

router.beforeEach((to) => {
  if (!to.meta.public && !loadTokens()) return { name: 'login', query: { next: to.fullPath } }
  return true
})
