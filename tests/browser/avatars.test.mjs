// Avatars and banners (issue 18) against a real `kinora serve`:
// - the JSON of the routes that carry them checked against PeerTube's own published types
//   (@peertube/peertube-types, `tsc --strict`, as peertube-types.test.mjs does): the answers of
//   the pick routes, an account, a channel, `users/me`, a video's account and channel, a
//   comment's account, once the images are set;
// - in headless Chromium, the owner opens "My settings", uploads an avatar for the account and
//   an avatar and a banner for the channel, sees them there and on the channel page (the
//   picture really loaded, at its size), has a refused file explained, and removes the banner.
//
// Needs the debug binaries (`cargo build --workspace --bins`) and Chromium; the front end is
// built first when web/dist is older than its sources.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { apiCall, ensureWebBuild, here, launchBrowser, screenshots, startInstance, uploadAndWait } from './instance.mjs'

/** A PNG of `width`×`height` drawn with ffmpeg's colour source (no image library needed). */
function png (dir, name, width, height, colour) {
  const path = join(dir, name)
  const result = spawnSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `color=c=${colour}:s=${width}x${height}`, '-frames:v', '1', '-y', path], { timeout: 60000 })
  assert.equal(result.status, 0, `ffmpeg drew ${name}: ${result.stderr}`)
  return path
}

async function pick (instance, path, field, file) {
  const form = new FormData()
  form.append(field, new Blob([(await import('node:fs')).readFileSync(file)], { type: 'image/png' }), 'picture.png')
  const response = await fetch(`${instance.base}/api/v1${path}`, { method: 'POST', body: form, headers: { Authorization: `Bearer ${instance.token}` } })
  const text = await response.text()
  assert.equal(response.status, 200, `${path}: ${text}`)
  return JSON.parse(text)
}

test('avatars and banners: PeerTube types, and the settings page in Chromium', { timeout: 900000 }, async (t) => {
  mkdirSync(screenshots, { recursive: true })
  const images = mkdtempSync(join(tmpdir(), 'kinora-avatars-'))
  const webRoot = ensureWebBuild()
  const instance = await startInstance({ webRoot })
  const browser = await launchBrowser()
  try {
    await t.test('the JSON is typed as PeerTube types it', async () => {
      const avatar = png(images, 'avatar.png', 300, 300, 'red')
      const banner = png(images, 'banner.png', 1200, 200, 'blue')
      const answers = {
        myAvatar: ['{ avatars: ActorImage[] }', await pick(instance, '/users/me/avatar/pick', 'avatarfile', avatar)],
        channelAvatar: ['{ avatars: ActorImage[] }', await pick(instance, `/video-channels/${instance.channelName}/avatar/pick`, 'avatarfile', avatar)],
        channelBanner: ['{ banners: ActorImage[] }', await pick(instance, `/video-channels/${instance.channelName}/banner/pick`, 'bannerfile', banner)]
      }
      const video = await uploadAndWait(instance, 'video_very_short_240p.mp4', { name: 'Faces' })
      await apiCall(instance, instance.token, `/videos/${video.uuid}/comment-threads`, { method: 'POST', json: { text: 'Hello' } })
      answers.account = ['Account', await apiCall(instance, null, `/accounts/${instance.accountName}`)]
      answers.channel = ['VideoChannel', await apiCall(instance, null, `/video-channels/${instance.channelName}`)]
      const me = await apiCall(instance, instance.token, '/users/me')
      answers.meAccount = ['Account', me.account]
      // MyUser's channels are PeerTube's UserVideoChannel (not exported by name).
      answers.meChannels = ["Array<Omit<VideoChannel, 'ownerAccount'> & { ownerAccountId: number }>", me.videoChannels]
      const details = await apiCall(instance, null, `/videos/${video.uuid}`)
      answers.videoAccount = ['Account', details.account]
      answers.videoChannel = ['VideoChannel', details.channel]
      const listed = await apiCall(instance, null, '/videos?count=5')
      answers.listedAccount = ['AccountSummary', listed.data[0].account]
      answers.listedChannel = ['VideoChannelSummary', listed.data[0].channel]
      const threads = await apiCall(instance, null, `/videos/${video.uuid}/comment-threads`)
      answers.commentAccount = ['Account', threads.data[0].account]
      assert.equal(answers.channel[1].banners.length, 2)
      assert.equal(answers.listedChannel[1].avatars.length, 4)
      assert.equal(answers.commentAccount[1].avatars.length, 4)
      const lines = [
        "import type { Account, AccountSummary, ActorImage, VideoChannel, VideoChannelSummary } from '@peertube/peertube-types'",
        '',
        '/**',
        ' * What JSON makes of T: dates travel as strings, and PeerTube sends null where its types never',
        ' * say so; its accounts also carry `banners` and `hostRedundancyAllowed`, which its Account type',
        ' * leaves out (ActorModel.toFormattedJSON): those two may appear, typed. No other field may.',
        ' */',
        'type ActorExtras = { banners?: Array<Json<ActorImage>>, hostRedundancyAllowed?: boolean }',
        'type Json<T> = T extends Date ? string : T extends Array<infer U> ? Array<Json<U>> : T extends object',
        '  ? { [K in keyof T]: Json<T[K]> | null } & ActorExtras',
        '  : T',
        ''
      ]
      for (const [name, [type, answer]] of Object.entries(answers)) {
        lines.push(`export const ${name}: Json<${type}> = ${JSON.stringify(answer, null, 2)}`, '')
      }
      const dir = join(here, 'types-check')
      mkdirSync(dir, { recursive: true })
      const file = join(dir, 'avatar-answers.ts')
      writeFileSync(file, lines.join('\n'))
      const tsc = spawnSync(join(here, 'node_modules', '.bin', 'tsc'), [
        '--strict', '--noEmit', '--skipLibCheck', '--target', 'es2022', '--module', 'esnext', '--moduleResolution', 'bundler', file
      ], { encoding: 'utf8', timeout: 120000 })
      assert.equal(tsc.status, 0, `tsc found type errors in ${file}:\n${tsc.stdout}${tsc.stderr}`)
      // Start the browser part with nothing set.
      await apiCall(instance, instance.token, '/users/me/avatar', { method: 'DELETE' })
      await apiCall(instance, instance.token, `/video-channels/${instance.channelName}/avatar`, { method: 'DELETE' })
      await apiCall(instance, instance.token, `/video-channels/${instance.channelName}/banner`, { method: 'DELETE' })
    })

    await t.test('the owner uploads an avatar and a banner, sees them, and removes the banner', async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
      const page = await context.newPage()
      page.setDefaultTimeout(20000)
      const errors = []
      page.on('pageerror', (error) => errors.push(String(error)))
      await page.goto(`${instance.base}/login`)
      await page.getByTestId('login-username').fill('root')
      await page.getByTestId('login-password').fill(instance.password)
      await page.getByTestId('login-submit').click()
      await page.getByTestId('user-menu').waitFor()
      await page.getByTestId('user-menu').click()
      await page.getByTestId('menu-my-settings').click()
      await page.getByTestId('account-avatar-none').waitFor()
      assert.equal(await page.title().then((title) => title.startsWith('My settings')), true)

      await page.getByTestId('account-avatar-input').setInputFiles(png(images, 'mine.png', 400, 400, 'green'))
      const preview = page.getByTestId('account-avatar-preview')
      await preview.and(page.locator('[src*="/lazy-static/avatars/"]')).waitFor()
      const channel = instance.channelName
      await page.getByTestId(`channel-avatar-${channel}-input`).setInputFiles(png(images, 'chan.png', 500, 500, 'yellow'))
      await page.getByTestId(`channel-avatar-${channel}-preview`).and(page.locator('[src*="/lazy-static/avatars/"]')).waitFor()
      await page.getByTestId(`channel-banner-${channel}-input`).setInputFiles(png(images, 'wide.png', 1800, 300, 'purple'))
      await page.getByTestId(`channel-banner-${channel}-preview`).and(page.locator('[src*="/lazy-static/banners/"]')).waitFor()

      // A file that is not an image is refused, with the server's reason, and changes nothing.
      const text = join(images, 'not-an-image.png')
      writeFileSync(text, '<svg xmlns="http://www.w3.org/2000/svg"/>')
      const before = await page.getByTestId('account-avatar-preview').getAttribute('src')
      await page.getByTestId('account-avatar-input').setInputFiles(text)
      await page.getByTestId('account-avatar').getByText(/Could not save: .*(PNG|image)/).waitFor()
      assert.equal(await page.getByTestId('account-avatar-preview').getAttribute('src'), before)

      // The channel page shows them, really loaded, at their sizes.
      await page.goto(`${instance.base}/c/${channel}`)
      const avatar = page.locator('.actor-header [data-testid="avatar"]')
      const shownBanner = page.getByTestId('banner')
      await avatar.waitFor()
      await shownBanner.waitFor()
      const size = async (locator) => await locator.evaluate(async (image) => {
        if (!image.complete) await new Promise((resolve) => image.addEventListener('load', resolve, { once: true }))
        return [image.naturalWidth, image.naturalHeight]
      })
      assert.deepEqual(await size(avatar), [120, 120])
      assert.deepEqual(await size(shownBanner), [1920, 317])
      await page.screenshot({ path: join(screenshots, 'channel-avatar-banner.png') })
      await page.goto(`${instance.base}/a/${instance.accountName}`)
      assert.deepEqual(await size(page.locator('.actor-header [data-testid="avatar"]')), [120, 120])

      // The banner removed from the settings page is gone from the channel page.
      await page.goto(`${instance.base}/my-account/settings`)
      await page.getByTestId(`channel-banner-${channel}-remove`).click()
      await page.getByTestId(`channel-banner-${channel}-none`).waitFor()
      await page.goto(`${instance.base}/c/${channel}`)
      await page.locator('.actor-header').waitFor()
      assert.equal(await page.getByTestId('banner').count(), 0)
      assert.deepEqual(errors, [])
      await context.close()
    })
  } finally {
    await browser.close()
    instance.stop()
  }
})
