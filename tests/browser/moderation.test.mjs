// Moderation in the web front end (web/), in headless Chromium against a real `kinora serve`:
// a user reports a video from its watch page; a moderator finds the report in the moderation
// area, answers it, accepts it and blocks the video, which then leaves the anonymous home page;
// the reporter sees the outcome in "My reports". A user mutes an account from its page and its
// video leaves their home list, and comes back once unmuted. Screenshots go to screenshots/.
//
// Needs the debug binaries (`cargo build --workspace --bins`) and Chromium; the front end is
// built first when web/dist is older than its sources.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { apiCall, createUser, ensureWebBuild, launchBrowser, screenshots, startInstance, uploadAs } from './instance.mjs'

async function shoot (page, name) {
  await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: false })
}

async function logIn (browser, instance, user, options = { viewport: { width: 1280, height: 860 } }) {
  const context = await browser.newContext(options)
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

/** The titles of the video cards on the home page (all sections), once loaded. */
async function homeTitles (page, base) {
  await page.goto(`${base}/`)
  await page.waitForLoadState('networkidle')
  await page.waitForFunction(() => !document.querySelector('.list-status .notice'))
  return await page.locator('[data-testid=video-card] .card-title').allTextContents()
}

test('moderation in the web front end', { timeout: 900000 }, async (t) => {
  const webRoot = ensureWebBuild()
  mkdirSync(screenshots, { recursive: true })
  const instance = await startInstance({ webRoot })
  const browser = await launchBrowser()
  const contexts = []
  try {
    const creator = await createUser(instance, 'creator')
    const noisy = await createUser(instance, 'noisy')
    const viewer = await createUser(instance, 'viewer')
    const moderator = await createUser(instance, 'moderator', 1)
    const video = await uploadAs(instance, creator, 'video_very_short_240p.mp4', { name: 'Spammy film' })
    await uploadAs(instance, noisy, 'video_very_short_240p.mp4', { name: 'Noisy film' })
    const calm = await uploadAs(instance, creator, 'video_very_short_240p.mp4', { name: 'Calm film' })

    await t.test('a user reports a video from its watch page', async () => {
      const { context, page, errors } = await logIn(browser, instance, viewer)
      contexts.push(context)
      assert.equal(await page.getByTestId('menu-moderation').count(), 0, 'no moderation link for a plain user')
      await page.goto(`${instance.base}/w/${video.shortUUID}`)
      await page.getByTestId('report-video').click()
      const dialog = page.getByTestId('report-dialog')
      await dialog.waitFor()
      await dialog.getByTestId('report-reason-spamOrMisleading').check()
      // Too short a text is refused before anything is sent.
      await dialog.getByTestId('report-text').fill('x')
      await dialog.getByTestId('report-submit').click()
      await dialog.getByTestId('report-status').getByText('Please say in a few words').waitFor()
      await dialog.getByTestId('report-text').fill('This video advertises a scam.')
      await dialog.getByTestId('report-partial').check()
      await dialog.getByTestId('report-start').fill('0:01')
      await dialog.getByTestId('report-end').fill('0:03')
      await shoot(page, 'moderation-report-dialog')
      const sent = page.waitForRequest((request) => request.url().endsWith('/api/v1/abuses') && request.method() === 'POST')
      await dialog.getByTestId('report-submit').click()
      await dialog.getByTestId('report-sent').waitFor()
      const body = JSON.parse((await sent).postData())
      assert.deepEqual(body, { reason: 'This video advertises a scam.', predefinedReasons: ['spamOrMisleading'], video: { id: video.id, startAt: 1, endAt: 3 } })
      await page.keyboard.press('Escape')
      await dialog.waitFor({ state: 'detached' })

      await page.goto(`${instance.base}/my-account/abuses`)
      const mine = page.getByTestId('abuse-item').filter({ hasText: 'This video advertises a scam.' })
      await mine.waitFor()
      assert.equal(await mine.getByTestId('abuse-state').textContent(), 'Pending')
      // The moderation area is not for plain users.
      await page.goto(`${instance.base}/admin/moderation`)
      await page.getByText('Only moderators and administrators').waitFor()
      assert.deepEqual(errors, [])
    })

    await t.test('a moderator accepts the report and blocks the video; it leaves the home page', async () => {
      assert.ok((await homeTitles(await (await browser.newContext()).newPage(), instance.base)).includes('Spammy film'), 'on the home page before')
      const { context, page, errors } = await logIn(browser, instance, moderator)
      contexts.push(context)
      await page.getByTestId('user-menu').click()
      await page.getByTestId('menu-moderation').click()
      await page.waitForURL('**/admin/moderation/abuses')
      const report = page.getByTestId('abuse-item').filter({ hasText: 'This video advertises a scam.' })
      await report.waitFor()
      assert.match(await report.textContent(), /Spammy film/)
      assert.match(await report.textContent(), /Spam, ad or false news/)
      await report.getByTestId('abuse-conversation').click()
      await report.getByTestId('abuse-message-input').fill('Thank you, we are looking at it.')
      await report.getByTestId('abuse-message-send').click()
      await report.getByTestId('abuse-messages').getByText('Thank you, we are looking at it.').waitFor()
      await shoot(page, 'moderation-reports')
      await report.getByTestId('abuse-moderation-input').fill('Confirmed: a scam advert.')
      await report.getByTestId('abuse-accept').click()
      const accepted = page.getByTestId('abuse-item').filter({ hasText: 'This video advertises a scam.' })
      await accepted.getByTestId('abuse-state').filter({ hasText: 'Accepted' }).waitFor()
      await accepted.getByTestId('abuse-block-video').click()
      await accepted.getByTestId('block-reason').fill('Scam advert')
      await accepted.getByTestId('block-confirm').click()
      await page.getByTestId('abuse-item').filter({ hasText: 'This video advertises a scam.' }).getByTestId('abuse-video-blocked').waitFor()
      await shoot(page, 'moderation-report-accepted')

      // The state filter: the report is among the accepted ones, not the pending ones.
      await page.getByTestId('abuse-state-filter').selectOption('1')
      await page.waitForURL('**/admin/moderation/abuses?state=1')
      await page.getByText('No reports here.').waitFor()
      await page.getByTestId('abuse-state-filter').selectOption('3')
      await page.getByTestId('abuse-item').filter({ hasText: 'This video advertises a scam.' }).waitFor()

      await page.getByTestId('moderation-tab-video-blocks').click()
      const blocked = page.getByTestId('blocked-video').filter({ hasText: 'Spammy film' })
      await blocked.waitFor()
      assert.match(await blocked.textContent(), /Scam advert/)
      await shoot(page, 'moderation-blocked-videos')

      await page.getByTestId('moderation-tab-users').click()
      await page.getByTestId('user-row').filter({ hasText: 'creator' }).waitFor()
      await shoot(page, 'moderation-users')
      assert.deepEqual(errors, [])

      const anonymous = await browser.newContext()
      contexts.push(anonymous)
      const titles = await homeTitles(await anonymous.newPage(), instance.base)
      assert.ok(!titles.includes('Spammy film'), `the blocked video is gone from the home page: ${titles}`)
      assert.ok(titles.includes('Noisy film'), 'other videos stay')
    })

    await t.test('the reporter sees the outcome and the answer in My reports', async () => {
      const page = contexts[0].pages()[0]
      await page.goto(`${instance.base}/my-account/abuses`)
      const mine = page.getByTestId('abuse-item').filter({ hasText: 'This video advertises a scam.' })
      await mine.getByTestId('abuse-state').filter({ hasText: 'Accepted' }).waitFor()
      await mine.getByTestId('abuse-conversation').click()
      await mine.getByTestId('abuse-messages').getByText('Thank you, we are looking at it.').waitFor()
      assert.equal(await mine.getByTestId('abuse-moderation-comment').count(), 0, 'the moderation comment stays with the moderators')
      await shoot(page, 'moderation-my-reports')
    })

    await t.test('comments held for approval: the owner approves them from the queue', async () => {
      const owner = await logIn(browser, instance, creator)
      contexts.push(owner.context)
      await owner.page.goto(`${instance.base}/videos/manage/${calm.shortUUID}`)
      await owner.page.locator('#edit-comments').selectOption('3')
      assert.equal(await owner.page.locator('#edit-comments option[value="3"]').textContent(), 'Requires approval')
      await owner.page.getByTestId('edit-save').click()
      await owner.page.getByTestId('edit-status').getByText('Saved.').waitFor()
      const saved = await (await fetch(`${instance.base}/api/v1/videos/${calm.uuid}`)).json()
      assert.equal(saved.commentsPolicy.id, 3)

      const page = contexts[0].pages()[0]
      await page.goto(`${instance.base}/w/${calm.shortUUID}`)
      await page.getByTestId('comment-input').fill('Lovely film')
      await page.getByTestId('comment-submit').click()
      await page.getByTestId('comment-held-notice').waitFor()
      await page.getByTestId('comment-item').filter({ hasText: 'Lovely film' }).getByTestId('comment-held').waitFor()
      await shoot(page, 'moderation-comment-held')

      const stranger = await browser.newContext()
      contexts.push(stranger)
      const other = await stranger.newPage()
      await other.goto(`${instance.base}/w/${calm.shortUUID}`)
      await other.getByText('No comments yet.').waitFor()

      await owner.page.getByTestId('user-menu').click()
      await owner.page.getByTestId('menu-comment-queue').click()
      const held = owner.page.getByTestId('queue-comment').filter({ hasText: 'Lovely film' })
      await held.waitFor()
      await shoot(owner.page, 'moderation-comment-queue')
      await held.getByTestId('queue-approve').click()
      await owner.page.getByText('Approved: everyone can see this comment now.').waitFor()
      await other.reload()
      await other.getByTestId('comment-item').filter({ hasText: 'Lovely film' }).waitFor()
      assert.deepEqual(owner.errors, [])
    })

    await t.test('a comment is reported from its menu', async () => {
      const page = contexts[0].pages()[0]
      await apiCall(instance, creator.token, `/videos/${calm.uuid}/comment-threads`, { method: 'POST', json: { text: 'An owner comment' } })
      await page.goto(`${instance.base}/w/${calm.shortUUID}`)
      const item = page.getByTestId('comment-item').filter({ hasText: 'An owner comment' })
      await item.getByTestId('comment-menu').locator('summary').click()
      await shoot(page, 'moderation-comment-menu')
      await item.getByTestId('comment-report').click()
      const dialog = page.getByTestId('report-dialog')
      await dialog.getByTestId('report-reason-hatefulOrAbusive').check()
      assert.equal(await dialog.getByTestId('report-reason-thumbnails').count(), 0, 'video-only reasons are not offered for comments')
      await dialog.getByTestId('report-text').fill('Insults')
      const sent = page.waitForRequest((request) => request.url().endsWith('/api/v1/abuses') && request.method() === 'POST')
      await dialog.getByTestId('report-submit').click()
      await dialog.getByTestId('report-sent').waitFor()
      const body = JSON.parse((await sent).postData())
      assert.equal(typeof body.comment.id, 'number')
      assert.deepEqual(body.predefinedReasons, ['hatefulOrAbusive'])
      await page.keyboard.press('Escape')
    })

    await t.test('a moderator bans and unbans a user', async () => {
      const page = contexts[1].pages()[0]
      await page.goto(`${instance.base}/admin/moderation/users`)
      const row = page.getByTestId('user-row').filter({ hasText: 'noisy' })
      await row.getByTestId('user-ban').click()
      await row.getByTestId('ban-reason').fill('Shouting at everyone')
      await row.getByTestId('ban-confirm').click()
      await row.getByTestId('user-banned').waitFor()
      const listed = await (await fetch(`${instance.base}/api/v1/users?search=noisy`, { headers: { Authorization: `Bearer ${moderator.token}` } })).json()
      assert.equal(listed.data.find((user) => user.username === 'noisy')?.blocked, true)
      await row.getByTestId('user-unban').click()
      await row.getByTestId('user-ban').waitFor()
    })

    await t.test('a user mutes an account from its page: its video leaves their home list', async () => {
      const page = contexts[0].pages()[0]
      assert.ok((await homeTitles(page, instance.base)).includes('Noisy film'), 'on the home page before')
      await page.goto(`${instance.base}/a/noisy`)
      await page.getByTestId('actor-menu').locator('summary').click()
      await shoot(page, 'moderation-account-menu')
      await page.getByTestId('actor-mute-account').click()
      await page.getByTestId('mute-done').waitFor()
      const titles = await homeTitles(page, instance.base)
      assert.ok(!titles.includes('Noisy film'), `the muted account's video is gone: ${titles}`)
      await page.goto(`${instance.base}/my-account/blocklist`)
      const entry = page.getByTestId('muted-accounts').getByTestId('muted-entry').filter({ hasText: 'noisy' })
      await entry.waitFor()
      await page.getByTestId('mute-servers-input').fill('muted.example')
      await page.getByTestId('mute-servers-submit').click()
      await page.getByTestId('muted-servers').getByTestId('muted-entry').filter({ hasText: 'muted.example' }).waitFor()
      await shoot(page, 'moderation-my-mutes')
      await entry.getByTestId('unmute').click()
      await page.getByText(/^noisy@.* is no longer muted\.$/).waitFor()
      assert.ok((await homeTitles(page, instance.base)).includes('Noisy film'), 'back once unmuted')
    })

    await t.test('the moderation pages fit a 360 px wide phone screen', async () => {
      const { context, page, errors } = await logIn(browser, instance, moderator, { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 })
      contexts.push(context)
      for (const path of ['/admin/moderation/abuses', '/admin/moderation/video-blocks', '/admin/moderation/mutes', '/admin/moderation/users',
        '/my-account/blocklist', '/my-account/abuses', '/my-library/comments-on-my-videos']) {
        await page.goto(`${instance.base}${path}`)
        await page.waitForLoadState('networkidle')
        if (path === '/admin/moderation/abuses') await page.screenshot({ path: join(screenshots, 'moderation-phone.png') })
        const width = await page.evaluate(() => document.documentElement.scrollWidth)
        assert.ok(width <= 360, `no sideways scrolling on ${path} (page is ${width} px wide)`)
      }
      await page.goto(`${instance.base}/w/${calm.shortUUID}`)
      await page.getByTestId('report-video').click()
      await page.getByTestId('report-dialog').waitFor()
      await page.screenshot({ path: join(screenshots, 'moderation-report-dialog-phone.png') })
      assert.deepEqual(errors, [])
    })
  } finally {
    for (const context of contexts) await context.close().catch(() => {})
    await browser.close()
    instance.stop()
  }
})
