// The instance's own pages in headless Chromium against a real `kinora serve` (issue 19): a
// visitor reads the About page (texts from the configuration file, software and version,
// statistics) and reaches it from the footer; a missing page answers status 404 with the
// front end's "Page not found"; the administrator renames the instance on the settings page
// and every title follows at once, without a restart (and a refused name is explained next to
// its field); on a 390×844 phone the player's quality menu opens and is clicked even with the
// page scrolled under the menu bar; once the administrator turns autoplay on, a visitor's
// video starts by itself, and a user who turned it off in their settings presses play.
//
// Needs the debug binaries (`cargo build --workspace --bins`) and Chromium; the front end is
// built first when web/dist is older than its sources.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { ensureWebBuild, launchBrowser, screenshots, startInstance, uploadAndWait } from './instance.mjs'

const CONFIG = `[instance]
name = "Browser Town"
short_description = "Videos of the town"
description = "We **host** the town's films."
terms = "1. Be kind.\\n2. No spam."
moderation_information = "Reports are read every day."
administrator = "The town's film club"
languages = ["en", "fr"]
categories = [15]
`

test('the About page, the not-found page, the settings page and the phone player', { timeout: 900000 }, async (t) => {
  mkdirSync(screenshots, { recursive: true })
  const webRoot = ensureWebBuild()
  const instance = await startInstance({ webRoot, extra: CONFIG })
  const browser = await launchBrowser()
  const errors = []
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    page.setDefaultTimeout(20000)
    page.on('pageerror', (error) => errors.push(String(error)))

    await t.test('a visitor reads the About page, reached from the footer', async () => {
      await page.goto(`${instance.base}/`)
      await page.getByTestId('footer-software').getByText(/Kinora \d+\.\d+/).waitFor()
      assert.equal(await page.title(), 'Browser Town')
      await page.getByTestId('footer-about').click()
      await page.getByTestId('about-name').waitFor()
      assert.equal(new URL(page.url()).pathname, '/about')
      assert.equal(await page.getByTestId('about-name').textContent(), 'Browser Town')
      assert.equal(await page.getByTestId('about-short').textContent(), 'Videos of the town')
      assert.equal(await page.getByTestId('about-description').locator('strong').textContent(), 'host')
      assert.match(await page.getByTestId('about-terms').textContent(), /Be kind\.[\s\S]*No spam\./)
      assert.match(await page.getByTestId('about-moderation').textContent(), /Reports are read every day/)
      assert.match(await page.getByTestId('about-administrators').textContent(), /film club/)
      assert.match(await page.getByTestId('about-languages').textContent(), /English.*French|French.*English/)
      assert.match(await page.getByTestId('about-categories').textContent(), /Science/)
      assert.match(await page.getByTestId('about-registration').textContent(), /sign-up is closed/)
      assert.match(await page.getByTestId('about-software').textContent(), /^Kinora \d+\.\d+\.\d+/)
      const users = page.getByTestId('stat-totalUsers')
      await users.waitFor()
      assert.equal(await users.textContent(), '1')
      assert.equal(await page.title(), 'About - Browser Town')
      // Loaded directly, the server answers the page with its title already set.
      const direct = await page.goto(`${instance.base}/about`)
      assert.equal(direct.status(), 200)
      assert.match(await direct.text(), /<title>About - Browser Town<\/title>/)
      await page.getByTestId('about-name').waitFor()
      await page.screenshot({ path: join(screenshots, 'about.png'), fullPage: true })
    })

    await t.test('a missing page answers 404 with the not-found page', async () => {
      for (const path of ['/no/such/page', '/about/nothing', '/videos/nothing-here']) {
        const response = await page.goto(`${instance.base}${path}`)
        assert.equal(response.status(), 404, path)
        assert.match(response.headers()['content-type'], /^text\/html/, path)
        await page.getByRole('heading', { name: 'Page not found' }).waitFor()
        assert.equal(await page.title(), 'Page not found - Browser Town', path)
        assert.ok(await page.getByTestId('site-footer').isVisible(), 'the footer is there')
      }
      await page.screenshot({ path: join(screenshots, 'not-found.png') })
      const api = await page.goto(`${instance.base}/api/v1/no-such-route`)
      assert.equal(api.status(), 404)
      assert.match(api.headers()['content-type'], /^application\/problem\+json/)
    })

    await t.test('the administrator renames the instance and the titles follow without a restart', async () => {
      await page.goto(`${instance.base}/login`)
      await page.getByTestId('login-username').fill('root')
      await page.getByTestId('login-password').fill(instance.password)
      await page.getByTestId('login-submit').click()
      await page.getByTestId('user-menu').waitFor()
      await page.getByTestId('user-menu').click()
      await page.getByTestId('menu-settings').click()
      const name = page.getByTestId('setting-name')
      await name.waitFor()
      assert.equal(await name.inputValue(), 'Browser Town')
      assert.equal(await page.title(), 'Settings - Browser Town')

      // A refused value is explained next to its field and changes nothing.
      await name.fill('   ')
      await page.getByTestId('settings-save').click()
      await page.getByTestId('setting-name-error').getByText(/1 to 120 characters/).waitFor()
      assert.equal((await (await fetch(`${instance.base}/api/v1/config`)).json()).instance.name, 'Browser Town')

      await name.fill('Renamed Town')
      await page.getByTestId('setting-registration').selectOption('approval')
      // Every resolution is on by default; 1440p and 2160p are turned off.
      for (const resolution of [144, 240, 360, 480, 720, 1080, 1440, 2160]) {
        assert.equal(await page.getByTestId(`setting-resolution-${resolution}`).isChecked(), true, `${resolution}p`)
      }
      await page.getByTestId('setting-resolution-1440').uncheck()
      await page.getByTestId('setting-resolution-2160').uncheck()
      await page.getByTestId('settings-save').click()
      await page.getByTestId('settings-status').getByText('Saved.').waitFor()
      assert.equal(await page.title(), 'Settings - Renamed Town')
      assert.equal(await page.locator('.brand').textContent(), 'Renamed Town')
      await page.screenshot({ path: join(screenshots, 'settings.png'), fullPage: true })
      const config = await (await fetch(`${instance.base}/api/v1/config`)).json()
      assert.equal(config.instance.name, 'Renamed Town')
      assert.equal(config.signup.requiresApproval, true)
      assert.deepEqual(config.transcoding.enabledResolutions, [144, 240, 360, 480, 720, 1080])
      await page.reload()
      await page.getByTestId('setting-resolution-1080').waitFor()
      assert.equal(await page.getByTestId('setting-resolution-1080').isChecked(), true)
      assert.equal(await page.getByTestId('setting-resolution-2160').isChecked(), false)

      // Other pages, loaded afresh from the same running server.
      await page.goto(`${instance.base}/about`)
      await page.getByTestId('about-name').getByText('Renamed Town').waitFor()
      assert.equal(await page.title(), 'About - Renamed Town')
      assert.match(await page.getByTestId('about-registration').textContent(), /approves/)
      const missing = await page.goto(`${instance.base}/still/missing`)
      assert.equal(missing.status(), 404)
      assert.equal(await page.title(), 'Page not found - Renamed Town')
    })

    await t.test('on a 390×844 phone the quality menu is reachable', async () => {
      const video = await uploadAndWait(instance, 'video_very_short_240p.mp4', { name: 'Phone video' })
      const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 })
      try {
        const small = await phone.newPage()
        small.setDefaultTimeout(20000)
        small.on('pageerror', (error) => errors.push(String(error)))
        await small.goto(`${instance.base}/w/${video.shortUUID}`)
        await small.waitForFunction(() => document.title === 'Phone video - Renamed Town')
        await small.getByTestId('player-play').click()
        const quality = small.getByTestId('quality-menu')
        await small.waitForFunction(() => {
          const menu = document.querySelector('[data-testid=quality-menu]')
          return menu && !menu.disabled && menu.options.length >= 3
        }, null, { timeout: 30000 })
        // Scrolled down a little, as when reading the title below the player.
        await small.evaluate(() => window.scrollTo(0, 120))
        await small.locator('.player-settings > button').click()
        await quality.waitFor({ state: 'visible' })
        // Playwright clicks only an element that receives the pointer at its centre: nothing
        // (the menu bar, the player's edge) may cover it.
        await quality.click()
        const box = await quality.boundingBox()
        assert.ok(box.y >= 0 && box.y + box.height <= 844, `the menu is on screen: ${JSON.stringify(box)}`)
        const hit = await small.evaluate(({ x, y }) => document.elementFromPoint(x, y)?.dataset.testid ?? null,
          { x: box.x + box.width / 2, y: box.y + box.height / 2 })
        assert.equal(hit, 'quality-menu')
        const lowest = await quality.evaluate((menu) => menu.options[menu.options.length - 1].value)
        await quality.selectOption(lowest)
        assert.equal(await quality.inputValue(), lowest)
        await small.screenshot({ path: join(screenshots, 'watch-phone-390-quality.png') })
      } finally {
        await phone.close()
      }
    })

    await t.test('videos start by themselves once the administrator says so, unless the user chose not to', async () => {
      const video = await uploadAndWait(instance, 'video_very_short_240p.mp4', { name: 'Autoplay video' })
      const playing = (target) => target.waitForFunction(() => {
        const media = document.querySelector('[data-testid=player-video]')
        return media && !media.paused && media.currentTime > 0
      }, null, { timeout: 30000 })
      // Off by default here (startInstance): a visitor's video waits for play.
      const visitors = await browser.newContext()
      try {
        const visitor = await visitors.newPage()
        await visitor.goto(`${instance.base}/w/${video.shortUUID}`)
        await visitor.getByTestId('player-video').waitFor()
        await visitor.waitForTimeout(1500)
        assert.equal(await visitor.evaluate(() => document.querySelector('[data-testid=player-video]').paused), true)

        await page.goto(`${instance.base}/admin/config/edit-custom`)
        const autoPlay = page.getByTestId('setting-autoplay')
        await autoPlay.waitFor()
        assert.equal(await autoPlay.isChecked(), false)
        await autoPlay.check()
        await page.getByTestId('settings-save').click()
        await page.getByTestId('settings-status').getByText('Saved.').waitFor()
        assert.equal((await (await fetch(`${instance.base}/api/v1/config`)).json()).defaults.player.autoPlay, true)

        await visitor.reload()
        await playing(visitor)
      } finally {
        await visitors.close()
      }
      // root never chose: the instance's default applies, until root turns it off.
      await page.goto(`${instance.base}/w/${video.shortUUID}`)
      await playing(page)
      await page.goto(`${instance.base}/my-account/settings`)
      const mine = page.getByTestId('pref-autoplay')
      await mine.waitFor()
      assert.equal(await mine.isChecked(), true)
      await mine.uncheck()
      await page.getByTestId('pref-save').click()
      await page.getByTestId('pref-status').getByText(/saved/).waitFor()
      await page.goto(`${instance.base}/w/${video.shortUUID}`)
      await page.getByTestId('player-video').waitFor()
      await page.waitForTimeout(1500)
      assert.equal(await page.evaluate(() => document.querySelector('[data-testid=player-video]').paused), true)
    })

    assert.deepEqual(errors, [], 'no script errors')
    await context.close()
  } finally {
    await browser.close()
    instance.stop()
  }
})
