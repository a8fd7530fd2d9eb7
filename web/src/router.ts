import { createRouter, createWebHistory } from 'vue-router'
import { restoreSession } from './api/authFetch'

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/login', name: 'login', component: () => import('./features/auth/LoginPage.vue'), meta: { title: 'auth.signIn', public: true } },
    {
      path: '/',
      component: () => import('./layout/AppLayout.vue'),
      children: [
        // Staff land on the dashboard, grid workers on their grid, residents at the activities, others at the regions.
        { path: '', name: 'home', component: () => import('./features/dashboard/DashboardPage.vue'), beforeEnter: () => import('./features/dashboard/landing').then((m) => m.landingRoute()) },
        { path: 'dashboard', name: 'dashboard', component: () => import('./features/dashboard/DashboardPage.vue'), meta: { title: 'nav.dashboard' } },
        { path: 'assessments', name: 'assessments', component: () => import('./features/assessments/AssessmentPage.vue'), meta: { title: 'nav.assessments' } },
        { path: 'regions', name: 'regions', component: () => import('./features/regions/RegionsPage.vue'), meta: { title: 'nav.regions' } },
        { path: 'branches', name: 'branches', component: () => import('./features/branches/BranchesPage.vue'), meta: { title: 'nav.branches' } },
        { path: 'grids', name: 'grids', component: () => import('./features/grids/GridsPage.vue'), meta: { title: 'nav.grids' } },
        { path: 'households', name: 'households', component: () => import('./features/households/HouseholdsPage.vue'), meta: { title: 'nav.households' } },
        { path: 'coverage', name: 'coverage', component: () => import('./features/visits/CoveragePage.vue'), meta: { title: 'nav.coverage' } },
        { path: 'members', name: 'members', component: () => import('./features/members/MembersPage.vue'), meta: { title: 'nav.members' } },
        { path: 'members/:id', name: 'member', component: () => import('./features/members/MemberDetailPage.vue'), meta: { title: 'nav.members' } },
        { path: 'meetings', name: 'meetings', component: () => import('./features/meetings/MeetingsPage.vue'), meta: { title: 'nav.meetings' } },
        { path: 'meetings/rates', name: 'meeting-rates', component: () => import('./features/meetings/RatesPage.vue'), meta: { title: 'nav.meetingRates' } },
        { path: 'meetings/:id', name: 'meeting', component: () => import('./features/meetings/MeetingDetailPage.vue'), meta: { title: 'nav.meetings' } },
        { path: 'volunteer-teams', name: 'volunteer-teams', component: () => import('./features/volunteers/TeamsPage.vue'), meta: { title: 'nav.volunteerTeams' } },
        { path: 'volunteer-teams/:id', name: 'volunteer-team', component: () => import('./features/volunteers/TeamDetailPage.vue'), meta: { title: 'nav.volunteerTeams' } },
        { path: 'activities', name: 'activities', component: () => import('./features/volunteers/ActivitiesPage.vue'), meta: { title: 'nav.activities' } },
        { path: 'activities/:id', name: 'activity', component: () => import('./features/volunteers/ActivityPage.vue'), meta: { title: 'nav.volunteer' } },
        { path: 'activities/:id/check-in', name: 'activity-check-in', component: () => import('./features/volunteers/CheckInPage.vue'), meta: { title: 'volunteers.checkIn' } },
        { path: 'service-hours', name: 'service-hours', component: () => import('./features/volunteers/HoursPage.vue'), meta: { title: 'nav.hours' } },
        { path: 'service-hours/ranking', name: 'service-hours-ranking', component: () => import('./features/volunteers/RankingPage.vue'), meta: { title: 'nav.ranking' } },
        { path: 'volunteer', name: 'volunteer', component: () => import('./features/volunteers/BrowsePage.vue'), meta: { title: 'nav.volunteer' } },
        { path: 'my-hours', name: 'my-hours', component: () => import('./features/volunteers/MyHoursPage.vue'), meta: { title: 'nav.myHours' } },
        { path: 'my-party', name: 'my-party', component: () => import('./features/members/MyPartyPage.vue'), meta: { title: 'nav.myParty' } },
        { path: 'my-party/access-log', name: 'my-access-log', component: () => import('./features/members/MyAccessLogPage.vue'), meta: { title: 'myParty.whoSawMe' } },
        { path: 'my-grid', name: 'my-grid', component: () => import('./features/grids/MyGridPage.vue'), meta: { title: 'nav.myGrid' } },
        { path: 'units', name: 'units', component: () => import('./features/services/UnitsPage.vue'), meta: { title: 'nav.units' } },
        { path: 'units/:id', name: 'unit', component: () => import('./features/services/UnitDetailPage.vue'), meta: { title: 'nav.units' } },
        { path: 'agreements', name: 'agreements', component: () => import('./features/services/AgreementsPage.vue'), meta: { title: 'nav.agreements' } },
        { path: 'agreements/:id', name: 'agreement', component: () => import('./features/services/AgreementDetailPage.vue'), meta: { title: 'nav.agreements' } },
        { path: 'service-projects', name: 'service-projects', component: () => import('./features/services/ProjectsPage.vue'), meta: { title: 'nav.projects' } },
        { path: 'service-orders/board', name: 'service-board', component: () => import('./features/services/BoardPage.vue'), meta: { title: 'nav.board' } },
        { path: 'service-orders/:id', name: 'service-order', component: () => import('./features/services/OrderDetailPage.vue'), meta: { title: 'nav.myOrders' } },
        { path: 'menu', name: 'menu', component: () => import('./features/services/MenuPage.vue'), meta: { title: 'nav.menu' } },
        { path: 'my-orders', name: 'my-orders', component: () => import('./features/services/MenuPage.vue'), props: { mine: true }, meta: { title: 'nav.myOrders' } },
        { path: 'my-service-orders', name: 'my-service-orders', component: () => import('./features/services/ProviderOrdersPage.vue'), meta: { title: 'nav.providerOrders' } },
        { path: 'wishes', name: 'wishes', component: () => import('./features/services/WishesPage.vue'), meta: { title: 'nav.wishes' } },
        { path: 'concerns', name: 'concerns', component: () => import('./features/concerns/ConcernsPage.vue'), meta: { title: 'nav.concerns' } },
        { path: 'concerns/new', name: 'concern-new', component: () => import('./features/concerns/ReportPage.vue'), meta: { title: 'nav.reportConcern' } },
        { path: 'concerns/:id', name: 'concern', component: () => import('./features/concerns/ConcernDetailPage.vue'), meta: { title: 'nav.concerns' } },
        { path: 'my-concerns', name: 'my-concerns', component: () => import('./features/concerns/MyConcernsPage.vue'), meta: { title: 'nav.myConcerns' } },
        { path: 'polls', name: 'polls', component: () => import('./features/polls/PollsPage.vue'), meta: { title: 'nav.polls' } },
        { path: 'polls/vote', name: 'poll-vote-list', component: () => import('./features/polls/VoteListPage.vue'), meta: { title: 'nav.vote' } },
        { path: 'polls/:id', name: 'poll', component: () => import('./features/polls/PollDetailPage.vue'), meta: { title: 'nav.polls' } },
        { path: 'polls/:id/vote', name: 'poll-vote', component: () => import('./features/polls/VotePage.vue'), meta: { title: 'nav.vote' } },
        { path: 'rectifications', name: 'rectifications', component: () => import('./features/polls/RectificationsPage.vue'), meta: { title: 'nav.rectifications' } },
        { path: 'me', name: 'me', component: () => import('./features/me/MePage.vue'), meta: { title: 'nav.me' } },
        { path: 'me/data-access', name: 'me-data-access', component: () => import('./features/me/DataAccessPage.vue'), meta: { title: 'me.dataAccess' } },
      ],
    },
    { path: '/:rest(.*)*', redirect: '/regions' },
  ],
})

// A reload or a new tab restores the session from the refresh cookie once before its first screen.
router.beforeEach(async (to) => {
  if (!to.meta.public && !(await restoreSession())) return { name: 'login', query: { next: to.fullPath } }
  return true
})
