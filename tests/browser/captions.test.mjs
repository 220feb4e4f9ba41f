// Captions and chapters in headless Chromium, with the web front end served by `kinora serve`:
// the owner adds a WebVTT caption and chapters on the edit page (a bad caption refused with the
// server's reason), then on the watch page picks the subtitles in the player's menu (the cue
// shows at its time) and clicks a chapter marker on the seek bar (the video jumps there).
// A second test federates: B follows A's channel, a caption added on A plays in B's player
// (loaded from A, with CORS). The caption and chapter JSON is type-checked against PeerTube's
// published types (@peertube/peertube-types, `tsc --strict`).
//
// Needs the debug binaries (`cargo build --workspace --bins`) and Chromium.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { apiCall, ensureWebBuild, here, launchBrowser, startInstance, uploadAndWait } from './instance.mjs'

const captions = join(here, '..', '..', '..', 'shared', 'fixtures', 'peertube', 'captions')
const FEDERATION = '[federation]\nallow_private_addresses = true\n'

async function logIn (page, instance) {
  await page.goto(`${instance.base}/login`)
  await page.getByTestId('login-username').fill(instance.username)
  await page.getByTestId('login-password').fill(instance.password)
  await page.getByTestId('login-submit').click()
  await page.waitForURL((url) => !url.pathname.startsWith('/login'))
}

async function putCaption (instance, uuid, language, name) {
  const form = new FormData()
  form.append('captionfile', new Blob([readFileSync(join(captions, name))]), name)
  const response = await fetch(`${instance.base}/api/v1/videos/${uuid}/captions/${language}`, {
    method: 'PUT', body: form, headers: { Authorization: `Bearer ${instance.token}` }
  })
  assert.equal(response.status, 204, await response.text())
}

/** Picks `language` in the player's subtitles menu; answers the showing track's cue texts. */
async function pickSubtitles (page, language) {
  await page.waitForFunction((language) => document.querySelector(`[data-testid="player-video"] track[srclang="${language}"]`), language)
  await page.getByTestId('player-settings').click()
  await page.getByTestId('subtitles-menu').selectOption(language)
  return await page.evaluate(async (language) => {
    const video = document.querySelector('[data-testid="player-video"]')
    const started = Date.now()
    for (;;) {
      const track = Array.from(video.textTracks).find((t) => t.language === language && t.mode === 'showing')
      if (track?.cues?.length) return Array.from(track.cues).map((cue) => cue.text)
      if (Date.now() - started > 20000) return { tracks: Array.from(video.textTracks).map((t) => [t.language, t.mode, t.cues?.length]) }
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }, language)
}

test('the owner adds captions and chapters; the player shows them and jumps to a chapter', { timeout: 600000 }, async () => {
  const instance = await startInstance({ webRoot: ensureWebBuild() })
  const browser = await launchBrowser()
  try {
    const video = await uploadAndWait(instance, 'video_short.mp4', { name: 'Captioned video' })
    const page = await browser.newPage()
    const errors = []
    page.on('pageerror', (error) => errors.push(String(error)))
    await logIn(page, instance)

    // The edit page: a bad caption is refused with the server's reason, a good one listed.
    await page.goto(`${instance.base}/videos/manage/${video.shortUUID}`)
    await page.getByTestId('captions-card').waitFor()
    await page.getByTestId('caption-language').selectOption('en')
    await page.getByTestId('caption-file').setInputFiles({ name: 'page.vtt', mimeType: 'text/vtt', buffer: Buffer.from('<!DOCTYPE html><html><body>no</body></html>') })
    await page.getByTestId('caption-upload').click()
    await page.getByTestId('caption-status').getByText('HTML document').waitFor()
    await page.getByTestId('caption-file').setInputFiles(join(captions, 'subtitle-good1.vtt'))
    await page.getByTestId('caption-upload').click()
    await page.getByTestId('caption-list').locator('li[data-language="en"]').waitFor()
    await page.getByTestId('edit-chapters').fill('0:00 Opening\n0:03 Second part')
    await page.getByTestId('chapters-save').click()
    await page.getByTestId('chapters-status').getByText('Chapters saved').waitFor()
    const chapters = await apiCall(instance, null, `/videos/${video.uuid}/chapters`)
    assert.deepEqual(chapters.chapters, [{ timecode: 0, title: 'Opening' }, { timecode: 3, title: 'Second part' }])

    // The watch page: subtitles from the menu, a chapter marker that jumps.
    await page.goto(`${instance.base}/w/${video.shortUUID}`)
    await page.getByTestId('player').waitFor()
    await page.getByTestId('chapter-marker').first().waitFor({ state: 'attached' })
    const cues = await pickSubtitles(page, 'en')
    assert.ok(Array.isArray(cues), `the English track loaded: ${JSON.stringify(cues)}`)
    assert.ok(cues.includes('Subtitle good 1.'), JSON.stringify(cues))
    await page.evaluate(() => {
      const video = document.querySelector('[data-testid="player-video"]')
      video.muted = true
      return video.play().catch(() => {})
    })
    await page.getByTestId('player-settings').click() // closes the menu
    const marker = page.getByTestId('chapter-marker').first()
    assert.equal(await marker.getAttribute('data-timecode'), '3')
    await page.getByTestId('player').hover()
    await marker.click({ force: true })
    const at = await page.evaluate(() => document.querySelector('[data-testid="player-video"]').currentTime)
    assert.ok(at >= 2.9 && at < 4.5, `jumped to the chapter at 3 s: ${at}`)
    await page.getByTestId('player-settings').click()
    await page.getByTestId('chapters-menu').selectOption('0')
    const back = await page.evaluate(() => document.querySelector('[data-testid="player-video"]').currentTime)
    assert.ok(back < 1, `the chapters menu jumps too: ${back}`)
    mkdirSync(join(here, 'screenshots'), { recursive: true })
    await page.screenshot({ path: join(here, 'screenshots', 'captions-chapters.png') })
    assert.deepEqual(errors, [])

    // PeerTube's types accept our caption and chapter JSON.
    await putCaption(instance, video.uuid, 'fr', 'subtitle-good.srt')
    const list = await apiCall(instance, null, `/videos/${video.uuid}/captions`)
    assert.equal(list.total, 2)
    const object = await (await fetch(`${instance.base}/videos/watch/${video.uuid}`, { headers: { Accept: 'application/activity+json' } })).json()
    const { '@context': _context, ...chaptersObject } = await (await fetch(object.hasParts, { headers: { Accept: 'application/activity+json' } })).json()
    const lines = [
      "import type { ResultList, VideoCaption, VideoCaptionObject, VideoChapter, VideoChaptersObject } from '@peertube/peertube-types'",
      'type Json<T> = T extends Date ? string : T extends Array<infer U> ? Array<Json<U>> : T extends object',
      '  ? { [K in keyof T]: Json<T[K]> | null }',
      '  : T',
      `export const captionList: Json<ResultList<VideoCaption>> = ${JSON.stringify(list, null, 2)}`,
      `export const chapters: Json<{ chapters: VideoChapter[] }> = ${JSON.stringify(chapters, null, 2)}`,
      `export const subtitleLanguage: Json<VideoCaptionObject[]> = ${JSON.stringify(object.subtitleLanguage, null, 2)}`,
      `export const chaptersObject: Json<VideoChaptersObject> = ${JSON.stringify(chaptersObject, null, 2)}`,
      ''
    ]
    const dir = join(here, 'types-check')
    mkdirSync(dir, { recursive: true })
    const file = join(dir, 'caption-answers.ts')
    writeFileSync(file, lines.join('\n'))
    const tsc = spawnSync(join(here, 'node_modules', '.bin', 'tsc'), [
      '--strict', '--noEmit', '--skipLibCheck', '--target', 'es2022', '--module', 'esnext', '--moduleResolution', 'bundler', file
    ], { encoding: 'utf8', timeout: 120000 })
    assert.equal(tsc.status, 0, `tsc found type errors in ${file}:\n${tsc.stdout}${tsc.stderr}`)
  } finally {
    await browser.close()
    instance.stop()
  }
})

test("a caption added on A plays in B's player", { timeout: 600000 }, async () => {
  const webRoot = ensureWebBuild()
  const a = await startInstance({ webRoot, extra: FEDERATION })
  const b = await startInstance({ webRoot, extra: FEDERATION })
  const browser = await launchBrowser()
  try {
    await apiCall(b, b.token, '/users/me/subscriptions', { method: 'POST', json: { uri: `${a.channelName}@localhost:${a.port}` } })
    const deadline = Date.now() + 60000
    const wait = async (what, probe) => {
      for (;;) {
        const value = await probe()
        if (value) return value
        assert.ok(Date.now() < deadline + 120000, `${what}: not in time`)
        await new Promise((resolve) => setTimeout(resolve, 500))
      }
    }
    await wait('A has B as follower', async () => (await (await fetch(`${a.base}/video-channels/${a.channelName}/followers`, { headers: { Accept: 'application/activity+json' } })).json()).totalItems === 1)
    const video = await uploadAndWait(a, 'video_short.mp4', { name: 'Federated captions' })
    await wait('the video on B', async () => (await fetch(`${b.base}/api/v1/videos/${video.uuid}`)).ok)
    await putCaption(a, video.uuid, 'en', 'subtitle-good1.vtt')
    const onB = await wait('the caption on B', async () => {
      const list = await (await fetch(`${b.base}/api/v1/videos/${video.uuid}/captions`)).json()
      return list.total === 1 ? list : null
    })
    assert.ok(onB.data[0].fileUrl.startsWith(a.base), onB.data[0].fileUrl)
    const page = await browser.newPage()
    const errors = []
    page.on('pageerror', (error) => errors.push(String(error)))
    await page.goto(`${b.base}/w/${video.uuid}`)
    await page.getByTestId('player').waitFor()
    await page.getByTestId('subtitles-menu').waitFor({ state: 'attached' })
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="player-video"] track').length === 1)
    const cues = await pickSubtitles(page, 'en')
    assert.ok(Array.isArray(cues) && cues.includes('Subtitle good 1.'), `B's player shows A's caption: ${JSON.stringify(cues)}`)
    assert.deepEqual(errors, [])
  } finally {
    await browser.close()
    a.stop()
    b.stop()
  }
})
