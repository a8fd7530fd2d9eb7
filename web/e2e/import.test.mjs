// Browser test of the household import: upload a CSV, watch the progress bar reach 100 %, and
// read the bad lines with their numbers.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { desktop, login, shots, useApp } from './harness.mjs'

const env = useApp(before, after)

const csv = [
  'grid_code,building,unit,room,residents,head_name,head_phone,tags',
  'XF-01-1,50幢,1单元,101,2,沈桂兰,13800005555,elderly_alone',
  'XF-01-1,50幢,1单元,102,x,韩志强,13800006666,',
  'XF-01-1,50幢,1单元,103,1,杨晓峰,13800007777,',
].join('\n')

test('import households with a progress bar and line errors', async () => {
  const page = await env.browser.newPage(desktop)
  await login(page, env.server.base, 'community1')
  await page.getByTestId('nav-households').click()
  await page.getByTestId('import-open').click()
  await page.getByTestId('import-file').setInputFiles({ name: 'households.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
  await page.getByTestId('import-start').click()
  const progress = page.getByTestId('import-dialog').locator('[role=progressbar]')
  await progress.waitFor()
  await page.getByTestId('import-summary').getByText('导入完成').waitFor()
  assert.equal(await progress.getAttribute('aria-valuenow'), '100')
  assert.match(await page.getByTestId('import-summary').innerText(), /新增 2/)
  const errors = page.getByTestId('import-errors')
  await errors.getByText('residents').waitFor()
  assert.match(await errors.innerText(), /\b3\b/)
  await page.screenshot({ path: join(shots, 'import-desktop.png') })
  await page.close()
})
