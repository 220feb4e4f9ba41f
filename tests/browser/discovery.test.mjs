// Finding other instances in the browser, between two real instances A and B (B serves the
// front end): on B, a channel handle of A pasted in the search box is looked up (fetched from A
// and imported) and opens the channel's page on B, where the user subscribes; B's Discover view
// then lists A's video. A visitor of A's channel page follows it from their own instance B
// ("follow from your instance"): sent to B's /remote-interaction page, they log in there and
// subscribe.
//
// Needs the debug binaries and Chromium, like the other tests here.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { createUser, ensureWebBuild, launchBrowser, screenshots, startInstance, uploadAndWait } from './instance.mjs'

const FEDERATION = '[federation]\nallow_private_addresses = true\n'

async function eventually (what, probe, limit = 60000) {
  const deadline = Date.now() + limit
  for (;;) {
    const value = await probe()
    if (value) return value
    assert.ok(Date.now() < deadline, `${what}: not within ${limit} ms`)
    await new Promise((resolve) => setTimeout(resolve, 300))
  }
}

/** How many accepted followers A's channel has. */
async function followersOf (instance) {
  const answer = await fetch(`${instance.base}/video-channels/${instance.channelName}/followers`, { headers: { Accept: 'application/activity+json' } })
  return (await answer.json()).totalItems
}

async function logIn (page, instance, user) {
  await page.getByTestId('login-username').fill(user.username)
  await page.getByTestId('login-password').fill(user.password)
  await page.getByTestId('login-submit').click()
}

test('remote channels are found by handle, discovered and followed from elsewhere', { timeout: 600000 }, async (t) => {
  const webRoot = ensureWebBuild()
  mkdirSync(screenshots, { recursive: true })
  const a = await startInstance({ webRoot, extra: FEDERATION })
  const b = await startInstance({ webRoot, extra: FEDERATION })
  const browser = await launchBrowser()
  try {
    const video = await uploadAndWait(a, 'video_very_short_240p.mp4', { name: 'Film from A' })
    const viewer = await createUser(b, 'viewer')
    const handle = `${a.channelName}@localhost:${a.port}`

    await t.test('a handle pasted in the search box opens the remote channel; subscribe', async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 860 } })
      const page = await context.newPage()
      page.setDefaultTimeout(30000)
      await page.goto(`${b.base}/login`)
      await logIn(page, b, viewer)
      await page.getByTestId('user-menu').waitFor()
      await page.getByTestId('search-input').fill(handle)
      await page.getByTestId('search-input').press('Enter')
      await page.waitForURL(`${b.base}/c/${handle}`)
      await page.getByRole('heading', { level: 1 }).waitFor()
      const button = page.getByTestId('subscribe-button')
      await page.waitForFunction(() => document.querySelector('[data-testid=subscribe-button]')?.getAttribute('aria-pressed') === 'false')
      await button.click()
      await page.waitForFunction(() => document.querySelector('[data-testid=subscribe-button]')?.getAttribute('aria-pressed') === 'true')
      await eventually('A has B as follower', async () => (await followersOf(a)) === 1)
      await page.screenshot({ path: join(screenshots, 'remote-channel-by-handle.png') })
      await context.close()
    })

    await t.test('the Discover view lists the remote video', async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 860 } })
      const page = await context.newPage()
      page.setDefaultTimeout(30000)
      await eventually('A\'s video on B\'s Discover view', async () => {
        await page.goto(`${b.base}/videos/discover`)
        await page.waitForLoadState('networkidle')
        const titles = await page.getByTestId('discover-newest').locator('[data-testid=video-card] .card-title').allTextContents()
        return titles.includes('Film from A')
      }, 90000)
      const trending = await page.getByTestId('discover-trending').locator('[data-testid=video-card] .card-title').allTextContents()
      assert.ok(trending.includes('Film from A'), `trending: ${trending}`)
      const href = await page.getByTestId('discover-newest').locator('.card-title a').first().getAttribute('href')
      assert.equal(href, `/w/${video.shortUUID}`)
      await page.getByRole('link', { name: 'Discover' }).waitFor()
      await page.screenshot({ path: join(screenshots, 'discover.png') })
      await context.close()
    })

    await t.test('a visitor of A follows the channel from their instance B', async () => {
      const follower = await createUser(b, 'visitor')
      const context = await browser.newContext({ viewport: { width: 1280, height: 860 } })
      const page = await context.newPage()
      page.setDefaultTimeout(30000)
      await page.goto(`${a.base}/c/${a.channelName}`)
      await page.getByText('Follow from your instance').click()
      await page.getByTestId('remote-follow-host').fill(`localhost:${b.port}`)
      await page.getByTestId('remote-follow-go').click()
      const channelUrl = `${a.base}/video-channels/${a.channelName}`
      await page.waitForURL(`${b.base}/remote-interaction?uri=${encodeURIComponent(channelUrl)}`)
      await page.getByTestId('remote-interaction-login').click()
      await logIn(page, b, follower)
      await page.waitForURL(/\/remote-interaction\?uri=/)
      const button = page.getByTestId('subscribe-button')
      await button.waitFor()
      await page.waitForFunction(() => document.querySelector('[data-testid=subscribe-button]')?.getAttribute('aria-pressed') === 'false')
      await button.click()
      await page.waitForFunction(() => document.querySelector('[data-testid=subscribe-button]')?.getAttribute('aria-pressed') === 'true')
      const subscriptions = await (await fetch(`${b.base}/api/v1/users/me/subscriptions`, { headers: { Authorization: `Bearer ${follower.token}` } })).json()
      assert.deepEqual(subscriptions.data.map((c) => `${c.name}@${c.host}`), [handle])
      await page.screenshot({ path: join(screenshots, 'remote-interaction.png') })
      await context.close()
    })
  } finally {
    await browser.close()
    a.stop()
    b.stop()
  }
})
