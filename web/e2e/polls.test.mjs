// Browser tests of the satisfaction polls (民意测评): community staff set a poll of two cadres up
// through the dialog on a desktop; a resident votes on a 375 px phone (the ballot is sent only once
// every cadre is rated, the vote is said to be anonymous, then 已投票 with no second ballot); two
// more residents (made by admin) vote through the API so that one cadre ends at 66.7 %; staff
// close the poll and read the results (合格 / 诫勉整改), follow the warned cadre's link to 整改跟踪
// and record a plan, meet a stale version (412) and mark it done with a report. A resident who did
// not vote sees 已结束.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { apiClient, desktop, fill, login, noOverflow, phone, shots, useApp } from './harness.mjs'

const env = useApp(before, after)
const api = apiClient(env)
const COMMUNITY = '斜桥巷社区'
const TITLE = '2026年下半年社区干部民意测评（测试）'
const CADRES = [
  { name: '周晓燕', position: '社区党委书记' },
  { name: '孙建华', position: '社区居委会主任' },
]
const EXTRA_PASSWORD = 'tongxin-demo-poll'

async function signIn(page, username, password) {
  await login(page, env.server.base, username, password)
  await page.waitForURL((u) => !u.pathname.startsWith('/login'))
}

/** Fills an Element Plus input found by a locator (the test id lands on the input or on its wrapper). */
async function fillIn(el, value) {
  const tag = await el.evaluate((n) => n.tagName)
  await (tag === 'INPUT' || tag === 'TEXTAREA' ? el : el.locator('input').first()).fill(value)
}

/** Lets transitions end (a drawer closing, tags zooming in) before a screenshot. */
async function settle(page) {
  await page.locator('.el-drawer').waitFor({ state: 'hidden' }).catch(() => {})
  await page.waitForTimeout(400)
}

let pollId = ''

describe('polls', () => {
  test('desktop: community staff set up a poll of two cadres through the dialog', async () => {
    const page = await env.browser.newPage(desktop)
    await signIn(page, 'community1')
    await page.getByTestId('nav-polls').click()
    await page.waitForURL(/\/polls$/)
    await page.getByTestId('nav-rectifications').waitFor()
    await page.getByTestId('poll-new').click()
    const dialog = page.getByTestId('poll-dialog')
    await dialog.waitFor()

    // The staff member's one community is chosen; the closing time defaults to two weeks ahead.
    await dialog.getByTestId('poll-form-community').getByText(COMMUNITY).waitFor()
    assert.match(await dialog.getByTestId('poll-form-closes').locator('input').inputValue(), /^\d{4}-\d{2}-\d{2} 18:00$/)
    assert.equal(await page.getByTestId('poll-save').isDisabled(), true)
    await fill(page, 'poll-form-title', TITLE)
    // Rows: fill the first, add a second, add a third and remove it again.
    await fillIn(page.getByTestId('poll-form-cadre-0').getByTestId('poll-form-cadre-name'), CADRES[0].name)
    await fillIn(page.getByTestId('poll-form-cadre-0').getByTestId('poll-form-cadre-position'), CADRES[0].position)
    await page.getByTestId('poll-form-add-cadre').click()
    assert.equal(await page.getByTestId('poll-save').isDisabled(), true, 'an empty row blocks saving')
    await fillIn(page.getByTestId('poll-form-cadre-1').getByTestId('poll-form-cadre-name'), CADRES[1].name)
    await fillIn(page.getByTestId('poll-form-cadre-1').getByTestId('poll-form-cadre-position'), CADRES[1].position)
    await page.getByTestId('poll-form-add-cadre').click()
    await fillIn(page.getByTestId('poll-form-cadre-2').getByTestId('poll-form-cadre-name'), '多余的人')
    await page.getByTestId('poll-form-cadre-2').getByTestId('poll-form-cadre-remove').click()
    assert.equal(await page.getByTestId('poll-form-cadre-2').count(), 0)
    await fillIn(page.getByTestId('poll-form-days'), '20')
    await settle(page)
    await page.screenshot({ path: join(shots, 'polls-create-desktop.png') })
    assert.equal(await page.getByTestId('poll-save').isDisabled(), false)
    await page.getByTestId('poll-save').click()

    await page.waitForURL(/\/polls\/[0-9a-f-]{36}$/)
    pollId = page.url().split('/').pop()
    await page.getByTestId('poll-title').getByText(TITLE).waitFor()
    await page.getByTestId('poll-status').getByText('进行中').waitFor()
    await page.getByTestId('poll-ballots').getByText('0 人参评').waitFor()
    await page.getByTestId('poll-facts').getByText('20 天').waitFor()
    assert.deepEqual(await page.getByTestId('poll-cadre').locator('strong').allInnerTexts(), CADRES.map((c) => c.name))
    await page.getByTestId('poll-close').waitFor()

    const made = await api('community1', `/polls/${pollId}`)
    assert.equal(made.status, 200)
    assert.deepEqual(made.body.cadres.map((c) => [c.name, c.position]), CADRES.map((c) => [c.name, c.position]))
    assert.equal(made.body.rectification_days, 20)

    // The list shows it with its state and turnout.
    await page.getByTestId('poll-back').click()
    await page.waitForURL(/\/polls$/)
    const row = page.locator('.poll-row', { has: page.getByTestId(`poll-link-${TITLE}`) })
    await row.getByTestId('poll-status').getByText('进行中').waitFor()
    await row.getByTestId('poll-turnout').getByText('0 人参评').waitFor()
    await settle(page)
    await page.screenshot({ path: join(shots, 'polls-list-desktop.png') })
    await page.close()
  })

  test('phone: a resident rates both cadres anonymously, then sees 已投票 and no second ballot', async () => {
    assert.ok(pollId, 'the poll was set up')
    const page = await env.browser.newPage(phone)
    await signIn(page, 'resident1')
    await page.getByTestId('menu-toggle').click()
    await page.getByTestId('drawer-nav-vote').click()
    await page.waitForURL(/\/polls\/vote$/)
    const card = page.getByTestId(`vote-card-${TITLE}`)
    await page.getByTestId(`vote-group-${COMMUNITY}`).waitFor()
    await card.waitFor()
    assert.equal(await card.getAttribute('data-voted'), 'false')
    await noOverflow(page)
    await settle(page)
    await page.screenshot({ path: join(shots, 'polls-vote-list-phone.png'), fullPage: true })
    await card.click()

    await page.waitForURL(new RegExp(`/polls/${pollId}/vote$`))
    await page.getByTestId('vote-anonymous').getByText('投票匿名：系统只记录您已投票，不记录您的选择').waitFor()
    const submit = page.getByTestId('vote-submit')
    assert.equal(await submit.isDisabled(), true, 'nothing rated yet')
    await page.getByTestId(`vote-cadre-${CADRES[0].name}`).getByTestId('vote-satisfied').click()
    await page.getByTestId('vote-progress').getByText('已评价 1 / 2 人').waitFor()
    assert.equal(await submit.isDisabled(), true, 'one cadre is not rated')
    await page.getByTestId(`vote-cadre-${CADRES[1].name}`).getByTestId('vote-dissatisfied').click()
    // A change of mind before sending.
    await page.getByTestId(`vote-cadre-${CADRES[1].name}`).getByTestId('vote-basically_satisfied').click()
    await page.getByTestId('vote-progress').getByText('已评价 2 / 2 人').waitFor()
    const chosen = page.getByTestId(`vote-cadre-${CADRES[1].name}`).locator('.el-radio-button.is-active')
    assert.equal(await chosen.count(), 1, 'one choice per cadre')
    assert.equal(await chosen.getAttribute('data-testid'), 'vote-basically_satisfied')
    assert.equal(await submit.isDisabled(), false)
    await noOverflow(page)
    await settle(page)
    await page.screenshot({ path: join(shots, 'polls-ballot-phone.png'), fullPage: true })
    await submit.click()

    const done = page.getByTestId('vote-done')
    await done.getByText('感谢您的参与').waitFor()
    assert.equal(await done.getAttribute('data-thanked'), 'true')
    assert.equal(await page.getByTestId('vote-submit').count(), 0)
    await noOverflow(page)
    await settle(page)
    await page.screenshot({ path: join(shots, 'polls-thanks-phone.png'), fullPage: true })

    // Coming back: 已投票, and no ballot is offered again.
    await page.reload()
    await page.getByTestId('vote-done').getByText('已投票').waitFor()
    assert.equal(await page.getByTestId('vote-done').getAttribute('data-thanked'), 'false')
    assert.equal(await page.getByTestId('vote-submit').count(), 0)
    assert.equal(await page.getByTestId('vote-ballot').count(), 0)
    await page.getByTestId('vote-done-back').click()
    await page.waitForURL(/\/polls\/vote$/)
    await card.getByTestId('vote-card-voted').getByText('已投票').waitFor()
    assert.equal(await card.getAttribute('data-voted'), 'true')
    await noOverflow(page)

    // The API agrees: one ballot, and a second one is refused.
    const after = await api('resident1', `/polls/${pollId}`)
    assert.equal(after.body.voted, true)
    assert.equal(after.body.can_vote, false)
    assert.equal(after.body.ballots, 1)
    const again = await api('resident1', `/polls/${pollId}/votes`, { method: 'POST', body: { ratings: after.body.cadres.map((c) => ({ cadre_id: c.id, rating: 'satisfied' })) } })
    assert.equal(again.status, 409)
    assert.equal(again.body.code, 'already_voted')
    await page.close()
  })

  test('desktop: staff close the poll, read the outcomes and record the warned cadre’s rectification', async () => {
    assert.ok(pollId, 'the poll was set up')
    // Three more residents of the poll's community (its electorate); two vote so that 孙建华 ends
    // at 2/3 (诫勉整改) and 周晓燕 at 3/3 (合格).
    const communityId = (await api('community1', `/polls/${pollId}`)).body.community_id
    for (const n of [1, 2, 3]) {
      const made = await api('admin', '/users', {
        method: 'POST',
        body: { username: `poll-voter-${n}`, display_name: `测评居民${n}`, password: EXTRA_PASSWORD, grants: [{ role: 'resident' }], community_id: communityId },
      })
      assert.equal(made.status, 201, JSON.stringify(made.body))
    }
    const poll = (await api('community1', `/polls/${pollId}`)).body
    const [zhou, sun] = poll.cadres
    for (const [n, sunRating] of [
      [1, 'satisfied'],
      [2, 'dissatisfied'],
    ]) {
      const cast = await api(`poll-voter-${n}`, `/polls/${pollId}/votes`, { method: 'POST', body: { ratings: [{ cadre_id: zhou.id, rating: 'satisfied' }, { cadre_id: sun.id, rating: sunRating }] } }, EXTRA_PASSWORD)
      assert.equal(cast.status, 201, JSON.stringify(cast.body))
    }
    // Results stay hidden while the poll is open.
    assert.equal((await api('community1', `/polls/${pollId}/results`)).body.code, 'poll_open')

    const page = await env.browser.newPage(desktop)
    await signIn(page, 'community1')
    await page.goto(`${env.server.base}/polls/${pollId}`)
    await page.getByTestId('poll-ballots').getByText('3 人参评').waitFor()
    await page.getByTestId('poll-close').click()
    await page.locator('.el-message-box').getByText('目前 3 人参评').waitFor()
    await page.locator('.el-message-box__btns .el-button--primary').click()

    await page.getByTestId('poll-status').getByText('已结束').waitFor()
    const table = page.getByTestId('result-table')
    await table.waitFor()
    assert.equal(await page.getByTestId('poll-close').count(), 0)
    const outcome = (name) => page.locator(`[data-testid="result-outcome"][data-cadre="${name}"]`)
    await outcome('周晓燕').getByText('合格').waitFor()
    await outcome('孙建华').getByText('诫勉整改').waitFor()
    const rates = await table.getByTestId('result-rate').allInnerTexts()
    assert.deepEqual(rates, ['100.0%', '66.7%'])
    await page.getByTestId('result-summary').getByText('诫勉整改 1').waitFor()
    assert.equal(await table.getByTestId('result-rectification').count(), 1, 'only the warned cadre has a rectification')
    await settle(page)
    await page.screenshot({ path: join(shots, 'polls-results-desktop.png'), fullPage: true })

    // On a phone the results are cards, and nothing overflows.
    const small = await env.browser.newPage(phone)
    await signIn(small, 'community1')
    await small.goto(`${env.server.base}/polls/${pollId}`)
    await small.getByTestId('result-cards').waitFor()
    await small.locator('[data-testid="result-outcome"][data-cadre="孙建华"]').getByText('诫勉整改').waitFor()
    await noOverflow(small)
    await settle(small)
    await small.screenshot({ path: join(shots, 'polls-results-phone.png'), fullPage: true })
    await small.goto(`${env.server.base}/polls`)
    await small.getByTestId(`poll-card-${TITLE}`).getByTestId('poll-status').getByText('已结束').waitFor()
    await noOverflow(small)
    await small.goto(`${env.server.base}/rectifications`)
    await small.getByTestId('rect-card-孙建华').waitFor()
    await noOverflow(small)
    await settle(small)
    await small.screenshot({ path: join(shots, 'polls-rectifications-phone.png'), fullPage: true })
    await small.close()

    // The warned cadre's link opens the rectification in 整改跟踪.
    await table.getByTestId('result-rectification').click()
    await page.waitForURL(/\/rectifications\?focus=/)
    const dialog = page.getByTestId('rect-dialog')
    await dialog.getByText('整改：孙建华').waitFor()
    await dialog.getByText(TITLE).waitFor()
    await fill(page, 'rect-form-plan', '每周二下午接待居民，月底前走访反映问题的楼栋')
    await page.getByTestId('rect-save').click()
    await dialog.waitFor({ state: 'hidden' })
    const row = page.locator('.rect-row', { has: page.getByTestId('rect-cadre-孙建华') })
    await row.getByTestId('rect-plan').getByText('每周二下午接待居民').waitFor()
    await row.getByTestId('rect-status').getByText('整改中').waitFor()
    assert.equal(await row.getByTestId('rect-overdue').count(), 0)
    await settle(page)
    await page.screenshot({ path: join(shots, 'polls-rectifications-desktop.png'), fullPage: true })

    const listed = (await api('community1', '/rectifications')).body.items.find((r) => r.poll_id === pollId)
    assert.equal(listed.cadre_name, '孙建华')
    assert.equal(listed.plan, '每周二下午接待居民，月底前走访反映问题的楼栋')
    assert.ok(Math.abs(listed.satisfaction_rate - 2 / 3) < 0.001)

    // Someone else changes it meanwhile: the save is refused (If-Match), read again, then done with a report.
    await page.getByTestId('rect-edit-孙建华').click()
    await dialog.waitFor()
    const other = await api('community1', `/rectifications/${listed.id}`, { method: 'PATCH', headers: { 'If-Match': `"${listed.version}"` }, body: { plan: '每周二、周四接待居民' } })
    assert.equal(other.status, 200)
    await page.getByTestId('rect-form-done').click()
    assert.equal(await page.getByTestId('rect-save').isDisabled(), true, 'done needs a report')
    await dialog.getByText('标记完成前请填写整改情况').waitFor()
    await fill(page, 'rect-form-report', '已走访12户居民，问题均已答复')
    await page.getByTestId('rect-save').click()
    await page.getByTestId('rect-form-error').getByText('记录已被他人修改').waitFor()
    await page.getByTestId('rect-reread').click()
    // Reading again is a request: wait for the form to show the colleague's plan.
    for (let i = 0; i < 50 && (await page.getByTestId('rect-form-plan').inputValue()) !== '每周二、周四接待居民'; i++) await page.waitForTimeout(100)
    assert.equal(await page.getByTestId('rect-form-plan').inputValue(), '每周二、周四接待居民')
    await page.getByTestId('rect-form-done').click()
    await fill(page, 'rect-form-report', '已走访12户居民，问题均已答复')
    await page.getByTestId('rect-save').click()
    await dialog.waitFor({ state: 'hidden' })
    // Done ones leave the open list; the done filter shows them.
    await page.getByTestId('rect-filter-status').getByText('已完成').click()
    await row.getByTestId('rect-status').getByText('已完成').waitFor()
    const finished = (await api('community1', '/rectifications?status=done')).body.items.find((r) => r.id === listed.id)
    assert.equal(finished.report, '已走访12户居民，问题均已答复')
    assert.equal(finished.plan, '每周二、周四接待居民')
    await page.close()
  })

  test('phone: a resident who did not vote finds the closed poll 已结束', async () => {
    assert.ok(pollId, 'the poll was set up')
    const page = await env.browser.newPage(phone)
    await signIn(page, 'poll-voter-3', EXTRA_PASSWORD)
    await page.goto(`${env.server.base}/polls/vote`)
    await page.getByTestId('state-empty').or(page.locator('[data-testid^="vote-card-"]').first()).waitFor()
    assert.equal(await page.getByTestId(`vote-card-${TITLE}`).count(), 0, 'closed polls leave the list')
    await page.goto(`${env.server.base}/polls/${pollId}/vote`)
    await page.getByTestId('vote-closed').getByText('已结束', { exact: true }).waitFor()
    assert.equal(await page.getByTestId('vote-submit').count(), 0)
    await noOverflow(page)
    await page.close()
  })
})
