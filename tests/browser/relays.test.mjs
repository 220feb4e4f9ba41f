// The relays page (/admin/relays) in headless Chromium against a real `kinora serve`: an
// administrator subscribes to a relay (a small HTTP server here that takes our Follow and never
// answers, so the relay stays "waiting"), sees a bad URL refused with the server's reason,
// and removes the relay (which gets our Undo); a plain user is told the page is not for them.
//
// Needs the debug binaries (`cargo build --workspace --bins`) and Chromium; the front end is
// built first when web/dist is older than its sources.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { createUser, ensureWebBuild, launchBrowser, screenshots, startInstance } from './instance.mjs'

/** A relay inbox that records what it is sent and answers 202. */
async function startRelayInbox () {
  const received = []
  const server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk) => { body += chunk })
    request.on('end', () => {
      try { received.push(JSON.parse(body)) } catch {}
      response.writeHead(202).end()
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://localhost:${server.address().port}/inbox`, received, close: () => server.close() }
}

async function until (what, probe, limit = 30000) {
  const started = Date.now()
  for (;;) {
    const value = await probe()
    if (value) return value
    assert.ok(Date.now() - started < limit, `${what}: not within ${limit} ms`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

async function logIn (browser, instance, user) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } })
  const page = await context.newPage()
  page.setDefaultTimeout(20000)
  const errors = []
  page.on('pageerror', (error) => errors.push(String(error)))
  await page.goto(`${instance.base}/login`)
  await page.getByTestId('login-username').fill(user.username)
  await page.getByTestId('login-password').fill(user.password)
  await page.getByTestId('login-submit').click()
  await page.getByTestId('user-menu').waitFor()
  return { context, page, errors }
}

test('relays in the web front end', { timeout: 600000 }, async (t) => {
  const webRoot = ensureWebBuild()
  mkdirSync(screenshots, { recursive: true })
  const instance = await startInstance({ webRoot, extra: '[federation]\nallow_private_addresses = true\n' })
  const relay = await startRelayInbox()
  const browser = await launchBrowser()
  try {
    await t.test('an administrator adds and removes a relay', async () => {
      const { context, page, errors } = await logIn(browser, instance, instance)
      await page.getByTestId('user-menu').click()
      await page.getByTestId('menu-relays').click()
      await page.waitForURL('**/admin/relays')
      await page.getByText('No relay yet.').waitFor()

      await page.getByTestId('relay-url').fill('ftp://relay.example/inbox')
      await page.getByTestId('relay-add').click()
      await page.getByTestId('relay-form-status').getByText('Could not add').waitFor()
      assert.match(await page.getByTestId('relay-form-status').textContent(), /not an http\(s\) URL/)

      await page.getByTestId('relay-url').fill(relay.url)
      await page.getByTestId('relay-add').click()
      const row = page.locator(`[data-testid=relay][data-url="${relay.url}"]`)
      await row.waitFor()
      assert.equal(await row.getAttribute('data-state'), 'pending')
      assert.match(await row.textContent(), /waiting for the relay to accept/)
      const follow = await until('the relay gets our Follow', () => relay.received.find((a) => a.type === 'Follow'))
      assert.equal(follow.object, 'https://www.w3.org/ns/activitystreams#Public')
      await page.screenshot({ path: join(screenshots, 'relays.png') })

      await row.getByTestId('relay-remove').click()
      await page.getByText(`${relay.url} is no longer a relay of this instance.`).waitFor()
      const undo = await until('the relay gets our Undo', () => relay.received.find((a) => a.type === 'Undo'))
      assert.equal(undo.object.id, follow.id)
      await page.reload()
      await page.getByText('No relay yet.').waitFor()
      assert.deepEqual(errors, [])
      await context.close()
    })

    await t.test('a plain user is told the page is not for them', async () => {
      const user = await createUser(instance, 'plain')
      const { context, page } = await logIn(browser, instance, user)
      await page.getByTestId('user-menu').click()
      assert.equal(await page.getByTestId('menu-relays').count(), 0)
      await page.goto(`${instance.base}/admin/relays`)
      await page.getByText('Only administrators can see this page.').waitFor()
      await context.close()
    })
  } finally {
    await browser.close()
    relay.close()
    instance.stop()
  }
})
