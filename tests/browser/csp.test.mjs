// The web front end under its Content-Security-Policy (issue 14, ST-01), in headless Chromium
// against a real `kinora serve`: every page (home, login, upload, watch with playback through
// hls.js and p2p-media-loader, channel, account, search, my library, edit, moderation, embed) is visited
// and no CSP violation may happen (`securitypolicyviolation` events in every frame, and
// Chromium's console reports). App pages refuse to be framed (X-Frame-Options DENY and
// frame-ancestors 'none'); the embed plays inside a page of another origin.
//
// Needs the debug binaries (`cargo build -p kinora-server -p kinora-transcoder --bins`) and
// Chromium; the front end is built first when web/dist is older than its sources.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { ensureWebBuild, freePort, launchBrowser, startInstance, uploadAndWait } from './instance.mjs'

const DESCRIPTION = 'Some **bold** words and [a link](https://example.org).\n\n<script>window.__xss = 1</script>'

/** A page of another origin (127.0.0.1 instead of localhost) framing `src`. */
async function framingSite (src) {
  const port = await freePort()
  const server = createServer((_, response) => {
    response.writeHead(200, { 'content-type': 'text/html' })
    response.end(`<!doctype html><title>Elsewhere</title><iframe id="f" width="640" height="360" allow="autoplay" src="${src}"></iframe>`)
  })
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${port}/`, close: () => server.close() }
}

test('every page works under its Content-Security-Policy, with no violation', { timeout: 600000 }, async (t) => {
  const webRoot = ensureWebBuild()
  const instance = await startInstance({ webRoot })
  const browser = await launchBrowser()
  const violations = []
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  // Reported from every document and frame, across navigations.
  await context.exposeBinding('__cspViolation', ({ frame }, report) => violations.push({ frame: frame.url(), ...report }))
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      // eslint-disable-next-line no-undef
      __cspViolation({ directive: event.effectiveDirective, blocked: event.blockedURI, source: event.sourceFile, line: event.lineNumber, sample: event.sample })
    })
  })
  const page = await context.newPage()
  page.setDefaultTimeout(30000)
  const consoleReports = []
  const pageErrors = []
  page.on('console', (message) => { if (/Content[- ]Security[- ]Policy/i.test(message.text())) consoleReports.push(message.text()) })
  page.on('pageerror', (error) => pageErrors.push(String(error)))
  const sockets = []
  page.on('websocket', (socket) => sockets.push(socket.url()))
  const clean = (where) => {
    assert.deepEqual(violations, [], `CSP violations on ${where}`)
    assert.deepEqual(consoleReports, [], `CSP reports in the console on ${where}`)
  }
  try {
    const video = await uploadAndWait(instance, 'video_short.mp4', { name: 'CSP film', description: DESCRIPTION })

    await t.test('app pages carry the policy and refuse framing; the embed may be framed', async () => {
      const app = await fetch(`${instance.base}/`)
      const policy = app.headers.get('content-security-policy') ?? ''
      assert.match(policy, /script-src 'self'(;|$)/)
      assert.match(policy, /frame-ancestors 'none'/)
      assert.match(policy, /object-src 'none'/)
      assert.equal(app.headers.get('x-frame-options'), 'DENY')
      assert.equal(app.headers.get('x-content-type-options'), 'nosniff')
      const embed = await fetch(`${instance.base}/videos/embed/${video.uuid}`)
      assert.equal(embed.headers.get('x-frame-options'), null)
      assert.match(embed.headers.get('content-security-policy') ?? '', /script-src 'self'/)
      assert.doesNotMatch(embed.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/)
    })

    await t.test('login page logs in', async () => {
      await page.goto(`${instance.base}/login`)
      await page.getByTestId('login-username').fill(instance.username)
      await page.getByTestId('login-password').fill(instance.password)
      await page.getByTestId('login-submit').click()
      await page.getByTestId('user-menu').waitFor()
      clean('/login')
    })

    await t.test('watch page plays with hls.js and p2p-media-loader', async () => {
      const answer = await page.goto(`${instance.base}/w/${video.shortUUID}`)
      assert.match(answer.headers()['content-security-policy'], /script-src 'self'/)
      await page.getByTestId('player-video').waitFor()
      await page.getByTestId('player-play').click()
      await page.waitForFunction(() => document.querySelector('[data-testid=player-video]').currentTime >= 1, null, { timeout: 60000 })
      assert.equal(await page.getByTestId('player').getAttribute('data-engine'), 'hls.js')
      await page.waitForFunction(() => document.querySelector('[data-testid=p2p-stats]')?.dataset.state === 'on', null, { timeout: 30000 })
      // p2p-media-loader reaches the tracker over a WebSocket.
      const deadline = Date.now() + 30000
      while (!sockets.some((url) => url.includes('/tracker/socket')) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
      assert.ok(sockets.some((url) => url.includes('/tracker/socket')), `tracker socket opened: ${sockets}`)
      assert.equal(await page.getByTestId('video-description').locator('strong').textContent(), 'bold')
      assert.equal(await page.evaluate(() => window.__xss), undefined)
      clean('the watch page')
    })

    for (const path of ['/', '/videos/upload', `/c/${instance.channelName}`, `/c/${instance.channelName}/videos`,
      `/a/${instance.accountName}`, `/a/${instance.accountName}/videos`, '/search?search=CSP', '/my-library/videos',
      '/my-library/subscriptions', `/videos/manage/${video.shortUUID}`, '/videos/trending', '/videos/local',
      '/my-library/comments-on-my-videos', '/my-account/blocklist', '/my-account/abuses', '/my-account/settings', '/admin/moderation/abuses',
      '/admin/moderation/video-blocks', '/admin/moderation/mutes', '/admin/moderation/users',
      '/videos/discover', `/remote-interaction?uri=${instance.channelName}`, '/about', '/admin/config/edit-custom', '/no/such/page']) {
      await t.test(`${path} has no violation`, async () => {
        await page.goto(`${instance.base}${path}`)
        await page.locator('#main, main, [data-testid]').first().waitFor()
        await page.waitForLoadState('networkidle')
        clean(path)
      })
    }

    await t.test('an inline script is refused and reported (the watch is real)', async () => {
      await page.goto(`${instance.base}/`)
      await page.evaluate(() => {
        const script = document.createElement('script')
        script.textContent = 'window.__inline = 1'
        document.body.append(script)
      })
      const deadline = Date.now() + 5000
      while (violations.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100))
      assert.equal(await page.evaluate(() => window.__inline), undefined)
      assert.ok(violations.some((v) => v.directive.startsWith('script-src')), JSON.stringify(violations))
      violations.length = 0
      consoleReports.length = 0
    })

    await t.test('the embed plays, alone and framed by another origin; the watch page cannot be framed', async () => {
      await page.goto(`${instance.base}/videos/embed/${video.uuid}?autoplay=1`)
      await page.getByTestId('player-video').waitFor()
      await page.waitForFunction(() => document.querySelector('[data-testid=player-video]').currentTime >= 1, null, { timeout: 60000 })
      clean('the embed')

      const site = await framingSite(`${instance.base}/videos/embed/${video.uuid}?autoplay=1&muted=1`)
      try {
        await page.goto(site.url)
        const frame = page.frameLocator('#f')
        await frame.getByTestId('player-video').waitFor()
        const embedded = page.frames().find((f) => f.url().includes('/videos/embed/'))
        await embedded.waitForFunction(() => document.querySelector('[data-testid=player-video]').currentTime >= 1, null, { timeout: 60000 })
        clean('the framed embed')
      } finally {
        site.close()
      }

      const refused = await framingSite(`${instance.base}/w/${video.shortUUID}`)
      try {
        await page.goto(refused.url)
        await page.waitForTimeout(2000)
        const framed = page.frames().find((f) => f !== page.mainFrame())
        const shown = await framed.evaluate(() => document.querySelector('#app') !== null).catch(() => false)
        assert.equal(shown, false, 'the watch page is not shown inside another site')
        // Chromium reports the refusal of framing as a violation of frame-ancestors only.
        const others = violations.filter((v) => v.directive !== 'frame-ancestors')
        assert.deepEqual(others, [])
        violations.length = 0
        consoleReports.length = 0
      } finally {
        refused.close()
      }
    })
    assert.deepEqual(pageErrors, [])
  } finally {
    await browser.close()
    instance.stop()
  }
})
