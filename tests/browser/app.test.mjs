// The web front end (web/) against a real `kinora serve`, in headless Chromium: log in, upload
// through the page (progress observed, pause/resume, a dropped connection survived), wait for
// publication, play with a quality switch, comment and reply, like, and HTML in names and
// descriptions shown as text. Screenshots of every page go to screenshots/.
//
// The front end is built first (npm ci && npm run build in web/) when web/dist is missing or
// older than its sources.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { ensureWebBuild, fixtures, launchBrowser, screenshots, startInstance, uploadAndWait } from './instance.mjs'

const XSS_NAME = 'Browser <img src=x onerror="alert(1)"> & <b>test</b>'
const XSS_DESCRIPTION = 'Some **bold** words.\n\n<script>window.__xss = 1; alert("script")</script>\n\n<img src=x onerror="window.__xss = 2; alert(\'img\')">\n\n[a link](https://example.org)'
const CHUNK = 4096

async function shoot (page, name) {
  await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: false })
}

test('the web front end: login, upload, watch, comments, likes and every page', { timeout: 900000 }, async (t) => {
  const webRoot = ensureWebBuild()
  mkdirSync(screenshots, { recursive: true })
  const instance = await startInstance({ webRoot })
  const browser = await launchBrowser()
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  const page = await context.newPage()
  page.setDefaultTimeout(20000)
  const pageErrors = []
  const dialogs = []
  page.on('pageerror', (error) => pageErrors.push(String(error)))
  page.on('dialog', (dialog) => { dialogs.push(dialog.message()); void dialog.dismiss() })
  let video = null // { uuid, shortUUID } once uploaded
  try {
    await t.test('login page logs in with the password grant', async () => {
      await page.goto(`${instance.base}/login`)
      await page.getByTestId('login-username').waitFor()
      await shoot(page, 'login')
      await page.getByTestId('login-username').fill(instance.username)
      await page.getByTestId('login-password').fill('wrong password')
      await page.getByTestId('login-submit').click()
      await page.getByRole('alert').filter({ hasText: 'Wrong username or password' }).waitFor()
      await page.getByTestId('login-password').fill(instance.password)
      await page.getByTestId('login-submit').click()
      await page.getByTestId('user-menu').waitFor()
      assert.equal(new URL(page.url()).pathname, '/')
      const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('kinora:tokens')))
      assert.ok(stored.accessToken && stored.refreshToken, 'tokens stored')
      // The home page's lists have loaded (its chunk can arrive after the menu on a busy machine;
      // a list request made after the next test spoils the token would refresh from this page).
      await page.waitForFunction(() => {
        const statuses = [...document.querySelectorAll('.home-section .list-status')]
        return statuses.length === 3 && statuses.every((status) => !status.textContent.includes('Loading'))
      })
    })

    await t.test('an expired access token is refreshed once and the request retried', async () => {
      await page.evaluate(() => {
        const tokens = JSON.parse(localStorage.getItem('kinora:tokens'))
        localStorage.setItem('kinora:tokens', JSON.stringify({ ...tokens, accessToken: 'expired-or-revoked' }))
      })
      const refreshed = page.waitForResponse((response) => response.url().endsWith('/api/v1/users/token') && response.status() === 200)
      await page.goto(`${instance.base}/my-library/videos`)
      await refreshed
      await page.getByRole('heading', { name: 'My videos' }).waitFor()
      await page.getByTestId('user-menu').waitFor()
      const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('kinora:tokens')))
      assert.notEqual(stored.accessToken, 'expired-or-revoked')
    })

    await t.test('upload page: progress, pause and resume, a dropped connection, then publication', async () => {
      await page.goto(`${instance.base}/videos/upload`)
      await page.getByTestId('upload-file').waitFor({ state: 'attached' })
      await shoot(page, 'upload')
      await page.evaluate((size) => localStorage.setItem('kinora:upload-chunk-size', String(size)), CHUNK)
      // Slow each chunk down so progress can be seen, and drop the connection on the third.
      let chunks = 0
      let dropped = 0
      let probes = 0
      await page.route('**/api/v1/videos/upload-resumable?*', async (route) => {
        const request = route.request()
        if (request.method() !== 'PUT') return route.continue()
        const range = (await request.allHeaders())['content-range'] ?? ''
        if (range.startsWith('bytes */')) { probes++; return route.continue() }
        chunks++
        if (chunks === 3) { dropped++; return route.abort('connectionreset') }
        await new Promise((resolve) => setTimeout(resolve, 250))
        return route.continue()
      })
      await page.getByTestId('upload-file').setInputFiles(join(fixtures, 'video_short.mp4'))
      await page.getByTestId('upload-name').fill(XSS_NAME)
      await page.getByTestId('upload-description').fill(XSS_DESCRIPTION)
      await page.getByLabel('Tags').fill('browser, kinora')
      await page.getByTestId('upload-submit').click()
      const bar = page.getByTestId('upload-progress')
      const panel = page.getByTestId('upload-panel')
      const seen = new Set()
      let paused = false
      const deadline = Date.now() + 120000
      while (Date.now() < deadline) {
        const value = Number(await bar.getAttribute('aria-valuenow'))
        seen.add(value)
        const state = await panel.getAttribute('data-state')
        if (state === 'done') break
        assert.notEqual(state, 'failed', await page.getByTestId('upload-status').textContent())
        if (!paused && value >= 30 && state === 'uploading') {
          paused = true
          await page.getByTestId('upload-pause').click()
          await page.waitForFunction(() => document.querySelector('[data-testid=upload-panel]')?.dataset.state === 'paused')
          await shoot(page, 'upload-progress')
          const held = await bar.getAttribute('aria-valuenow')
          await new Promise((resolve) => setTimeout(resolve, 800))
          assert.equal(await bar.getAttribute('aria-valuenow'), held, 'no progress while paused')
          await page.getByTestId('upload-resume').click()
        }
        await new Promise((resolve) => setTimeout(resolve, 40))
      }
      await page.unroute('**/api/v1/videos/upload-resumable?*')
      assert.equal(await panel.getAttribute('data-state'), 'done', 'upload finished')
      const between = [...seen].filter((value) => value > 0 && value < 100)
      assert.ok(between.length >= 3, `several progress values seen: ${[...seen]}`)
      assert.ok(paused, 'paused once')
      assert.equal(dropped, 1, 'one chunk was dropped')
      assert.ok(probes >= 1, 'the offset was probed after the drop and after the pause')
      assert.ok(chunks > 38783 / CHUNK, `sent in ${CHUNK}-byte chunks: ${chunks}`)
      const link = page.getByTestId('video-link')
      await link.waitFor({ timeout: 300000 })
      const href = await link.getAttribute('href')
      assert.match(href, /^\/w\/[A-Za-z0-9]+$/)
      const id = href.split('/').pop()
      video = await (await fetch(`${instance.base}/api/v1/videos/${id}`)).json()
      assert.equal(video.name, XSS_NAME, 'the name is stored as typed')
    })

    await t.test('watch page: plays, switches quality, shortcuts, names and descriptions as text', async () => {
      assert.ok(video, 'a video was uploaded')
      await page.getByTestId('video-link').click()
      await page.waitForURL(`**/w/${video.shortUUID}`)
      await page.getByTestId('player-video').waitFor()
      assert.equal(await page.getByTestId('video-title').textContent(), XSS_NAME)
      const description = page.getByTestId('video-description')
      assert.match(await description.textContent(), /<script>window.__xss = 1/)
      assert.match(await description.textContent(), /<img src=x onerror=/)
      assert.equal(await description.locator('strong').textContent(), 'bold')
      assert.equal(await page.locator('img[src="x"], script:not([src])').count(), 0, 'no element made from user text')
      assert.equal(await page.evaluate(() => window.__xss), undefined)
      assert.equal(await page.title(), `${XSS_NAME} - Kinora`)
      const views = page.waitForRequest((request) => request.url().endsWith(`/videos/${video.uuid}/views`) && request.method() === 'POST', { timeout: 30000 })
      await page.getByTestId('player-play').click()
      // The fixture lasts 5 s: keep it playing while the menus are used.
      await page.evaluate(() => { document.querySelector('[data-testid=player-video]').loop = true })
      await page.waitForFunction(() => document.querySelector('[data-testid=player-video]').currentTime >= 1, null, { timeout: 30000 })
      assert.equal(await page.getByTestId('player').getAttribute('data-engine'), 'hls.js')
      const boards = (await (await fetch(`${instance.base}/api/v1/videos/${video.uuid}/storyboards`)).json()).storyboards
      if (boards.length > 0) {
        // Hovering the seek bar shows the storyboard frame for that time.
        const seek = page.getByTestId('player-seek')
        const box = await seek.boundingBox()
        await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2)
        const preview = page.getByTestId('storyboard-preview')
        await preview.waitFor()
        assert.match(await preview.locator('.player-preview-image').evaluate((node) => node.style.backgroundImage), /storyboard/)
      }
      await page.getByTestId('player-settings').click()
      const quality = page.getByTestId('quality-menu')
      const options = await quality.locator('option').evaluateAll((nodes) => nodes.map((node) => ({ value: node.value, height: node.dataset.height })))
      assert.ok(options.length >= 3, `Auto and several qualities: ${JSON.stringify(options)}`)
      const current = await page.getByTestId('player').getAttribute('data-level')
      const target = options.find((option) => option.value !== '-1' && option.value !== current)
      await quality.selectOption(target.value)
      await page.waitForFunction((level) => document.querySelector('[data-testid=player]').dataset.level === level, target.value, { timeout: 30000 })
      assert.equal(await page.getByTestId('player').getAttribute('data-level-height'), target.height)
      await page.getByTestId('speed-menu').selectOption('1.5')
      assert.equal(await page.evaluate(() => document.querySelector('[data-testid=player-video]').playbackRate), 1.5)
      await page.keyboard.press('Escape')
      await page.locator('body').click({ position: { x: 5, y: 400 } })
      const muted = await page.evaluate(() => document.querySelector('[data-testid=player-video]').muted)
      await page.keyboard.press('m')
      assert.equal(await page.evaluate(() => document.querySelector('[data-testid=player-video]').muted), !muted, 'm toggles mute')
      await shoot(page, 'watch')
      await views // a view is posted after a few seconds of playback
      await page.keyboard.press('k')
      await page.waitForFunction(() => document.querySelector('[data-testid=player-video]').paused)
    })

    await t.test('comments and a reply are posted and still there after a reload', async (t) => {
      await page.getByTestId('comment-input').fill('First! <script>alert("comment")</script>')
      await page.getByTestId('comment-submit').click()
      const thread = page.getByTestId('comment-item').filter({ hasText: 'First!' })
      await thread.waitFor()
      await thread.getByTestId('reply-button').click()
      await page.getByTestId('reply-input').fill('A reply to the first comment')
      await page.getByTestId('reply-submit').click()
      await page.getByTestId('comment-text').filter({ hasText: 'A reply to the first comment' }).waitFor()
      await page.getByTestId('comment-input').fill('This one will be deleted')
      await page.getByTestId('comment-submit').click()
      const doomed = page.getByTestId('comment-item').filter({ hasText: 'This one will be deleted' })
      await doomed.getByTestId('comment-delete').click()
      await doomed.getByTestId('comment-delete-confirm').click()
      await page.getByText('This comment has been deleted.').waitFor()
      await page.reload()
      const again = page.getByTestId('comment-item').filter({ hasText: 'First! <script>alert("comment")</script>' })
      await again.waitFor()
      await again.getByTestId('show-replies').click()
      await again.getByTestId('comment-item').filter({ hasText: 'A reply to the first comment' }).waitFor()
      assert.equal(await page.getByText('This one will be deleted').count(), 0, 'the deleted comment lost its text')
      await shoot(page, 'watch-comments')
    })

    await t.test('a like is counted and still there after a reload', async (t) => {
      const like = page.getByTestId('like-button')
      await like.click()
      await page.waitForFunction(() => document.querySelector('[data-testid=like-button]').getAttribute('aria-pressed') === 'true')
      await page.reload()
      await page.waitForFunction(() => document.querySelector('[data-testid=like-button]')?.getAttribute('aria-pressed') === 'true')
      assert.equal(await page.getByTestId('like-count').textContent(), '1')
    })

    await t.test('home, channel, account, search, my videos and embed pages', async () => {
      await page.goto(`${instance.base}/`)
      await page.getByTestId('video-card').first().waitFor()
      assert.equal(await page.getByTestId('video-card').first().locator('.card-title').textContent(), XSS_NAME)
      await shoot(page, 'home')

      await page.goto(`${instance.base}/c/${instance.channelName}`)
      await page.locator('h1').waitFor()
      await page.getByTestId('video-card').first().waitFor()
      await page.waitForLoadState('networkidle')
      assert.ok(await page.getByTestId('subscribe-button').isHidden(), 'no subscribe button on one\'s own channel')
      await shoot(page, 'channel')

      await page.goto(`${instance.base}/a/${instance.accountName}`)
      await page.locator('h1').waitFor()
      await page.waitForLoadState('networkidle')
      await shoot(page, 'account')

      await page.goto(`${instance.base}/search?search=Browser`)
      await page.getByTestId('video-card').first().waitFor()
      await shoot(page, 'search')

      await page.goto(`${instance.base}/my-library/videos`)
      await page.locator('h1').waitFor()
      await page.waitForLoadState('networkidle')
      await shoot(page, 'my-videos')

      await page.goto(`${instance.base}/videos/manage/${video.shortUUID}`)
      await page.getByTestId('edit-name').waitFor()
      assert.equal(await page.getByTestId('edit-name').inputValue(), XSS_NAME)
      await shoot(page, 'edit')

      await page.goto(`${instance.base}/videos/embed/${video.uuid}?autoplay=1&start=1`)
      await page.getByTestId('player-video').waitFor()
      await page.waitForFunction(() => document.querySelector('[data-testid=player-video]').currentTime >= 1.5, null, { timeout: 30000 })
      await shoot(page, 'embed')
      assert.equal(await page.title(), XSS_NAME)
    })

    await t.test('a private video plays for its owner only', async () => {
      const secret = await uploadAndWait(instance, 'video_very_short_240p.mp4', { name: 'Private one', privacy: '3' })
      const answer = await page.goto(`${instance.base}/w/${secret.shortUUID}`)
      assert.ok(answer.status() === 404 || answer.status() === 200, `page status ${answer.status()}`)
      assert.equal(await page.getByTestId('video-title').textContent(), 'Private one')
      await page.getByTestId('player-video').waitFor()
      const stranger = await browser.newContext()
      try {
        const other = await stranger.newPage()
        await other.goto(`${instance.base}/w/${secret.shortUUID}`)
        await other.getByRole('heading', { name: 'Video not found' }).waitFor()
      } finally {
        await stranger.close()
      }
    })

    await t.test('subscribing to another user\'s channel', async (t) => {
      const created = await fetch(`${instance.base}/api/v1/users`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${instance.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'creator', email: 'creator@example.org', password: 'a long password', role: 2 })
      })
      assert.ok(created.ok, `user created: ${created.status}`)
      const channels = await (await fetch(`${instance.base}/api/v1/accounts/creator/video-channels`)).json()
      const channel = channels.data[0].name
      await page.goto(`${instance.base}/c/${channel}`)
      const subscribe = page.getByTestId('subscribe-button')
      await subscribe.waitFor()
      await subscribe.click()
      await page.waitForFunction(() => document.querySelector('[data-testid=subscribe-button]').getAttribute('aria-pressed') === 'true')
      await page.reload()
      await page.waitForFunction(() => document.querySelector('[data-testid=subscribe-button]')?.getAttribute('aria-pressed') === 'true')
      await page.goto(`${instance.base}/my-library/subscriptions`)
      await page.locator('.channel-card').filter({ hasText: channel }).waitFor()
      await shoot(page, 'subscriptions')
    })

    await t.test('the edit page saves details', async () => {
      await page.goto(`${instance.base}/videos/manage/${video.shortUUID}`)
      await page.getByTestId('edit-name').fill('Renamed in the browser')
      await page.getByTestId('edit-tags').fill('renamed, edited')
      await page.getByTestId('edit-save').click()
      await page.getByTestId('edit-status').getByText('Saved.').waitFor()
      const saved = await (await fetch(`${instance.base}/api/v1/videos/${video.uuid}`)).json()
      assert.equal(saved.name, 'Renamed in the browser')
      assert.deepEqual([...saved.tags].sort(), ['edited', 'renamed'])
      await page.goto(`${instance.base}/w/${video.shortUUID}`)
      assert.equal(await page.getByTestId('video-title').textContent(), 'Renamed in the browser')
    })

    await t.test('the watch page fits a 360 px wide phone screen', async () => {
      const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 })
      try {
        const small = await phone.newPage()
        small.on('pageerror', (error) => pageErrors.push(String(error)))
        await small.goto(`${instance.base}/w/${video.shortUUID}`)
        await small.getByTestId('player-video').waitFor()
        await small.waitForLoadState('networkidle')
        await small.screenshot({ path: join(screenshots, 'watch-phone.png') })
        for (const path of [`/w/${video.shortUUID}`, '/', '/login', `/c/${instance.channelName}`, `/videos/embed/${video.uuid}`]) {
          if (path !== `/w/${video.shortUUID}`) await small.goto(`${instance.base}${path}`)
          await small.waitForLoadState('networkidle')
          const width = await small.evaluate(() => document.documentElement.scrollWidth)
          assert.ok(width <= 360, `no sideways scrolling on ${path} (page is ${width} px wide)`)
        }
      } finally {
        await phone.close()
      }
    })

    await t.test('my videos deletes a video', async () => {
      await page.goto(`${instance.base}/my-library/videos`)
      const row = page.locator(`[data-testid=my-video][data-uuid="${video.uuid}"]`)
      await row.getByTestId('delete-video').click()
      await row.getByTestId('delete-confirm').click()
      await row.getByText('was deleted').waitFor()
      assert.equal((await fetch(`${instance.base}/api/v1/videos/${video.uuid}`)).status, 404)
    })

    await t.test('logging out forgets the tokens', async () => {
      await page.goto(`${instance.base}/`)
      await page.getByTestId('user-menu').locator('summary').click()
      await page.getByTestId('logout').click()
      await page.getByTestId('login-link').waitFor()
      assert.equal(await page.evaluate(() => localStorage.getItem('kinora:tokens')), null)
    })

    assert.deepEqual(dialogs, [], 'no dialog opened (no script from user text ran)')
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the pages')
  } finally {
    await browser.close()
    instance.stop()
  }
})
