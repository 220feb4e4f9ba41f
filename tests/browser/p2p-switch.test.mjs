// The player's peer-to-peer sharing switched off, by the viewer (the settings switch, remembered
// in localStorage), by an embed (?p2p=0), by the instance ([p2p] defaults, or no tracker) and
// for private videos: off means the page opens no tracker socket at all, while playback works. Each case is checked
// against a page where sharing is on and the socket does open, so "no socket" is not a page
// that merely had no time to open one.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ensureWebBuild, launchBrowser, startInstance, uploadAndWait } from './instance.mjs'

/** Opens `path` in a fresh context; plays muted for a while; answers sockets and statistics. */
async function visit (browser, instance, path, { preference, toggle = false, owner = false, playable = true, slowConfig = false } = {}) {
  const context = await browser.newContext()
  if (preference !== undefined) await context.addInitScript((value) => { localStorage.setItem('kinora:p2p', value) }, preference)
  if (owner) {
    // Logged in as root (the page's token store).
    const tokens = { accessToken: instance.token, refreshToken: '', expiresAt: Date.now() + 3600000 }
    await context.addInitScript((value) => { localStorage.setItem('kinora:tokens', value) }, JSON.stringify(tokens))
  }
  const page = await context.newPage()
  page.setDefaultTimeout(30000)
  const sockets = []
  const errors = []
  // What went wrong if playback never starts: the console's warnings and errors, failed
  // requests and error answers.
  const trouble = []
  page.on('websocket', (socket) => sockets.push(socket.url()))
  page.on('pageerror', (error) => errors.push(String(error)))
  page.on('console', (message) => { if (['warning', 'error'].includes(message.type())) trouble.push(`console ${message.type()}: ${message.text()}`) })
  page.on('requestfailed', (request) => trouble.push(`failed: ${request.url()} ${request.failure()?.errorText}`))
  page.on('response', (response) => { if (response.status() >= 400) trouble.push(`${response.status()}: ${response.url()}`) })
  // The instance's settings answered late (a busy server): the script's play() below comes
  // before the player attached its media source, and must still start playback.
  if (slowConfig) await page.route('**/api/v1/config', async (route) => { await new Promise((resolve) => setTimeout(resolve, 3000)); await route.continue() })
  try {
    await page.goto(`${instance.base}${path}`)
    await page.getByTestId('player-video').waitFor()
    // The script's own play() is rejected (AbortError) when the page attaches a source after it:
    // that rejection is the script's, not a page error; the player plays anyway (below).
    await page.evaluate(() => { const video = document.querySelector('[data-testid=player-video]'); video.muted = true; video.loop = true; void video.play().catch(() => {}) })
    if (playable) {
      try {
        // A play() the page undid (a source attached after it) is asked again: this test is
        // about sockets, and needs playback only to have happened.
        await page.waitForFunction(() => {
          const video = document.querySelector('[data-testid=player-video]')
          if (video.paused && video.readyState >= 2) void video.play().catch(() => {})
          return video.currentTime >= 1
        }, null, { timeout: 30000, polling: 500 })
      } catch (error) {
        const state = await page.evaluate(() => {
          const video = document.querySelector('[data-testid=player-video]')
          const shown = document.querySelector('.player-message:not([hidden])')
          const ranges = Array.from({ length: video.buffered.length }, (_, i) => `${video.buffered.start(i)}-${video.buffered.end(i)}`)
          return { engine: video.closest('.player')?.dataset.engine, paused: video.paused, currentTime: video.currentTime, readyState: video.readyState, networkState: video.networkState, buffered: ranges, error: video.error?.message, message: shown?.textContent }
        }).catch((reason) => String(reason))
        throw new Error(`${path} did not play: ${JSON.stringify(state)}; ${JSON.stringify(trouble)}`, { cause: error })
      }
    }
    const read = () => page.evaluate(() => {
      const stats = document.querySelector('[data-testid=p2p-stats]')
      const box = document.querySelector('[data-testid=p2p-toggle]')
      return { state: stats.dataset.state, httpBytes: Number(stats.dataset.httpBytes), checked: box.checked, disabled: box.disabled, stored: localStorage.getItem('kinora:p2p') }
    })
    // Sharing opens its socket with the first segment request; give it time to: at least 2 s
    // whatever the state, and while the page says sharing is on, until the socket opens (a busy
    // machine can take longer than 2 s).
    await page.waitForTimeout(2000)
    for (let waited = 0; sockets.length === 0 && waited < 15000 && (await read()).state === 'on'; waited += 250) {
      await page.waitForTimeout(250)
    }
    const before = { ...(await read()), sockets: [...sockets] }
    let after = null
    if (toggle) {
      await page.getByTestId('player-settings').click()
      await page.getByTestId('p2p-toggle').click()
      await page.waitForTimeout(3000)
      for (let waited = 0; sockets.length === 0 && waited < 15000 && (await read()).state === 'on'; waited += 250) {
        await page.waitForTimeout(250)
      }
      after = { ...(await read()), sockets: [...sockets] }
    }
    assert.deepEqual(errors, [])
    return { before, after }
  } finally {
    await context.close()
  }
}

test('sharing switched off opens no tracker socket', { timeout: 600000 }, async (t) => {
  const webRoot = ensureWebBuild()
  const browser = await launchBrowser()
  const instances = []
  try {
    const open = await startInstance({ webRoot })
    instances.push(open)
    const video = await uploadAndWait(open, 'video_short.mp4')
    const tracker = `ws://localhost:${open.port}/tracker/socket`

    await t.test('on by default: the video\'s tracker socket opens', async () => {
      const { before } = await visit(browser, open, `/w/${video.shortUUID}`)
      assert.equal(before.state, 'on')
      assert.equal(before.checked, true)
      assert.deepEqual([...new Set(before.sockets)], [tracker])
    })

    await t.test('the viewer\'s switch: off is remembered and opens nothing; on again opens the socket', async () => {
      const { before, after } = await visit(browser, open, `/w/${video.shortUUID}`, { preference: '0', toggle: true })
      assert.equal(before.state, 'off')
      assert.equal(before.checked, false)
      assert.deepEqual(before.sockets, [])
      assert.ok(before.httpBytes > 0, 'played from the server')
      assert.equal(after.state, 'on')
      assert.equal(after.stored, '1', 'the choice is remembered')
      assert.deepEqual([...new Set(after.sockets)], [tracker])
      // Switching off in the page is remembered too.
      const off = await visit(browser, open, `/w/${video.shortUUID}`, { preference: '1', toggle: true })
      assert.equal(off.after.stored, '0')
      assert.equal(off.after.state, 'off')
    })

    await t.test('an embed with ?p2p=0 opens nothing; without it, the socket opens', async () => {
      const off = await visit(browser, open, `/videos/embed/${video.uuid}?p2p=0`, { slowConfig: true })
      assert.equal(off.before.state, 'off')
      assert.deepEqual(off.before.sockets, [])
      const on = await visit(browser, open, `/videos/embed/${video.uuid}`)
      assert.equal(on.before.state, 'on')
      assert.deepEqual([...new Set(on.before.sockets)], [tracker])
    })

    await t.test('a private video is not announced, even for its owner who chose to share', async () => {
      const secret = await uploadAndWait(open, 'video_short.mp4', { privacy: '3' })
      // (The player does not send the owner's token with media requests yet, so it does not play.)
      const { before } = await visit(browser, open, `/w/${secret.shortUUID}`, { preference: '1', owner: true, playable: false })
      assert.equal(before.state, 'unavailable')
      assert.deepEqual(before.sockets, [])
    })

    await t.test('the instance\'s default off: nothing opens, unless the viewer chose to share', async () => {
      const instance = await startInstance({ webRoot, extra: '[p2p]\nwebapp_enabled = false\n' })
      instances.push(instance)
      const clip = await uploadAndWait(instance, 'video_short.mp4')
      const socket = `ws://localhost:${instance.port}/tracker/socket`
      const off = await visit(browser, instance, `/w/${clip.shortUUID}`)
      assert.equal(off.before.state, 'off')
      assert.deepEqual(off.before.sockets, [])
      const chosen = await visit(browser, instance, `/w/${clip.shortUUID}`, { preference: '1' })
      assert.deepEqual([...new Set(chosen.before.sockets)], [socket])
      // Embeds keep their own default (on).
      const embed = await visit(browser, instance, `/videos/embed/${clip.uuid}`)
      assert.deepEqual([...new Set(embed.before.sockets)], [socket])
    })

    await t.test('without the tracker nothing opens, whatever the viewer chose', async () => {
      const instance = await startInstance({ webRoot, extra: '[tracker]\nenabled = false\n' })
      instances.push(instance)
      const clip = await uploadAndWait(instance, 'video_short.mp4')
      const { before } = await visit(browser, instance, `/w/${clip.shortUUID}`, { preference: '1' })
      assert.equal(before.state, 'unavailable')
      assert.equal(before.disabled, true)
      assert.deepEqual(before.sockets, [])
    })
  } finally {
    await browser.close()
    for (const instance of instances) instance.stop()
  }
})
