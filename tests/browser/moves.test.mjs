// Moving a channel in the web front end, between two real `kinora serve` processes in headless
// Chromium: on B, root opens "Move to another instance", picks its new channel and adds A's
// channel as an alias (an unknown handle is refused with the server's reason); on A, root opens
// its channel page, follows "Move this channel", is refused with a wrong password, then moves
// the channel to B's. A's channel page then says where it went, its document shows `movedTo`,
// and its follower on A (a viewer) follows B's channel.
//
// Needs the debug binaries (`cargo build --workspace --bins`) and Chromium; the front end is
// built first when web/dist is older than its sources.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { apiCall, createUser, ensureWebBuild, launchBrowser, screenshots, startInstance } from './instance.mjs'

const FEDERATION = '[federation]\nallow_private_addresses = true\n'

async function until (what, probe, limit = 60000) {
  const started = Date.now()
  for (;;) {
    const value = await probe()
    if (value) return value
    assert.ok(Date.now() - started < limit, `${what}: not within ${limit} ms`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

async function logIn (browser, instance) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  const page = await context.newPage()
  page.setDefaultTimeout(20000)
  const errors = []
  page.on('pageerror', (error) => errors.push(String(error)))
  await page.goto(`${instance.base}/login`)
  await page.getByTestId('login-username').fill(instance.username)
  await page.getByTestId('login-password').fill(instance.password)
  await page.getByTestId('login-submit').click()
  await page.getByTestId('user-menu').waitFor()
  return { context, page, errors }
}

test('a channel moves from the web front end', { timeout: 600000 }, async () => {
  const webRoot = ensureWebBuild()
  mkdirSync(screenshots, { recursive: true })
  const a = await startInstance({ webRoot, extra: FEDERATION })
  const b = await startInstance({ webRoot, extra: FEDERATION })
  const browser = await launchBrowser()
  try {
    const hostA = `localhost:${a.port}`
    const hostB = `localhost:${b.port}`
    await apiCall(b, b.token, '/video-channels', { method: 'POST', json: { name: 'new_home', displayName: 'New home' } })
    const viewer = await createUser(a, 'viewer')
    await apiCall(a, viewer.token, '/users/me/subscriptions', { method: 'POST', json: { uri: a.channelName } })

    // On B: the alias.
    const onB = await logIn(browser, b)
    await onB.page.getByTestId('user-menu').click()
    await onB.page.getByTestId('menu-move').click()
    await onB.page.waitForURL('**/my-account/move')
    await onB.page.getByTestId('move-actor').selectOption('new_home')
    await onB.page.getByText('No alias: nothing may move here yet.').waitFor()
    await onB.page.getByTestId('alias-uri').fill(`nobody_here@${hostA}`)
    await onB.page.getByTestId('alias-add').click()
    await onB.page.getByTestId('alias-status').getByText('Could not add').waitFor()
    await onB.page.getByTestId('alias-uri').fill(`${a.channelName}@${hostA}`)
    await onB.page.getByTestId('alias-add').click()
    const oldUrl = `${a.base}/video-channels/${a.channelName}`
    await onB.page.locator(`[data-testid=alias][data-url="${oldUrl}"]`).waitFor()
    await onB.page.screenshot({ path: join(screenshots, 'move-aliases.png'), fullPage: true })
    assert.deepEqual(onB.errors, [])

    // On A: the move, from the channel page.
    const onA = await logIn(browser, a)
    await onA.page.goto(`${a.base}/c/${a.channelName}`)
    await onA.page.getByTestId('channel-move').click()
    await onA.page.waitForURL('**/my-account/move?channel=*')
    assert.equal(await onA.page.getByTestId('move-actor').inputValue(), a.channelName)
    await onA.page.getByTestId('move-target').fill(`new_home@${hostB}`)
    await onA.page.getByTestId('move-password').fill('not-the-password')
    await onA.page.getByTestId('move-submit').click()
    await onA.page.getByTestId('move-status').getByText('is not the password in use').waitFor()
    await onA.page.getByTestId('move-password').fill(a.password)
    await onA.page.getByTestId('move-submit').click()
    const newUrl = `${b.base}/video-channels/new_home`
    await onA.page.getByTestId('move-status').getByText(`Moved to ${newUrl}`).waitFor()
    assert.match(await onA.page.getByTestId('move-status').textContent(), /1 follower on this instance already follows the new home/)
    await onA.page.screenshot({ path: join(screenshots, 'move-done.png'), fullPage: true })
    assert.deepEqual(onA.errors, [])

    // The channel's page says where it went.
    await onA.page.goto(`${a.base}/c/${a.channelName}`)
    await onA.page.getByTestId('moved-to').getByRole('link', { name: newUrl }).waitFor()
    const group = await (await fetch(oldUrl, { headers: { Accept: 'application/activity+json' } })).json()
    assert.equal(group.movedTo, newUrl)
    await until('the viewer on A follows new_home on B', async () => {
      const body = await apiCall(a, viewer.token, '/users/me/subscriptions')
      return body.data.length === 1 && body.data[0].name === 'new_home' && body.data[0].host === hostB
    })
    await onA.context.close()
    await onB.context.close()
  } finally {
    await browser.close()
    a.stop()
    b.stop()
  }
})
