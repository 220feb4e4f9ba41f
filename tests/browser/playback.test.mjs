// Real playback: `kinora serve` (with its transcoder pool) publishes an uploaded fixture, and
// hls.js in headless Chromium plays its HLS: currentTime advances and a quality switch happens.
//
// Needs the debug binaries (`cargo build --workspace --bins`) and Chromium (/usr/bin/chromium,
// or CHROMIUM). Run with `npm test` in this folder; ./scripts/test runs it.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { mkdtempSync, readFileSync, rmSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'
import { chromium } from 'playwright-core'

const here = dirname(fileURLToPath(import.meta.url))
const repo = join(here, '..', '..')
const targetDir = process.env.CARGO_TARGET_DIR || join(repo, 'target')
const kinora = join(targetDir, 'debug', 'kinora')
const fixtures = join(repo, '..', 'shared', 'fixtures', 'peertube', 'media')

function freePort () {
  return new Promise((resolve) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

async function startInstance () {
  const dir = mkdtempSync(join(tmpdir(), 'kinora-browser-'))
  const port = await freePort()
  const config = join(dir, 'kinora.toml')
  const { writeFileSync } = await import('node:fs')
  writeFileSync(config, `[server]\nlisten = "127.0.0.1:${port}"\npublic_url = "http://localhost:${port}"\n` +
    `[database]\nurl = "sqlite://${dir}/kinora.db"\n[storage.local]\nroot = "${dir}/storage"\n` +
    '[transcoding]\nworkers = 1\n')
  const child = spawn(kinora, ['serve', '--config', config], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, RUST_LOG: 'warn' } })
  let password = null
  const lines = createInterface({ input: child.stdout })
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start')), 60000)
    lines.on('line', (line) => {
      const match = line.trim().match(/^password: (.+)$/)
      if (match) password = match[1]
      if (line.includes('is running at')) { clearTimeout(timer); resolve() }
    })
  })
  const base = `http://localhost:${port}`
  const client = await (await fetch(`${base}/api/v1/oauth-clients/local`)).json()
  const form = new URLSearchParams({ client_id: client.client_id, client_secret: client.client_secret, grant_type: 'password', username: 'root', password })
  const token = (await (await fetch(`${base}/api/v1/users/token`, { method: 'POST', body: form })).json()).access_token
  const me = await (await fetch(`${base}/api/v1/users/me`, { headers: { Authorization: `Bearer ${token}` } })).json()
  return { base, token, channel: me.videoChannels[0].id, stop: () => { child.kill('SIGTERM'); setTimeout(() => rmSync(dir, { recursive: true, force: true }), 3000) } }
}

async function uploadAndWait (instance, fixture) {
  const form = new FormData()
  form.append('name', `Browser ${fixture}`)
  form.append('channelId', String(instance.channel))
  form.append('videofile', new Blob([readFileSync(join(fixtures, fixture))]), fixture)
  const created = await (await fetch(`${instance.base}/api/v1/videos/upload`, { method: 'POST', body: form, headers: { Authorization: `Bearer ${instance.token}` } })).json()
  const uuid = created.video.uuid
  const deadline = Date.now() + 300000
  for (;;) {
    const video = await (await fetch(`${instance.base}/api/v1/videos/${uuid}`, { headers: { Authorization: `Bearer ${instance.token}` } })).json()
    if (video.state.id === 1) return video
    assert.notEqual(video.state.id, 7, `transcoding failed: ${video.failureReason}`)
    assert.ok(Date.now() < deadline, 'transcoding took too long')
    await new Promise((resolve) => setTimeout(resolve, 300))
  }
}

test('hls.js plays a published video and switches quality in Chromium', { timeout: 400000 }, async () => {
  const instance = await startInstance()
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required']
  })
  try {
    // video_short.mp4 is 720p: its ladder has several renditions to switch between.
    const video = await uploadAndWait(instance, 'video_short.mp4')
    const master = video.streamingPlaylists[0].playlistUrl
    assert.ok(video.streamingPlaylists[0].files.length >= 2, 'several renditions')
    const page = await browser.newPage()
    const errors = []
    page.on('pageerror', (error) => errors.push(String(error)))
    await page.goto(`${instance.base}/api/v1/config`)
    await page.setContent('<!doctype html><video id="v" muted playsinline width="640"></video>')
    await page.addScriptTag({ path: join(here, 'node_modules', 'hls.js', 'dist', 'hls.min.js') })
    const result = await page.evaluate(async (url) => {
      const element = document.getElementById('v')
      // eslint-disable-next-line no-undef
      if (!Hls.isSupported()) return { error: 'MSE not supported' }
      // eslint-disable-next-line no-undef
      const hls = new Hls({ startLevel: 0 })
      const switched = []
      const fatal = []
      // eslint-disable-next-line no-undef
      hls.on(Hls.Events.LEVEL_SWITCHED, (_, data) => switched.push(data.level))
      // eslint-disable-next-line no-undef
      hls.on(Hls.Events.ERROR, (_, data) => { if (data.fatal) fatal.push(data.details) })
      hls.loadSource(url)
      hls.attachMedia(element)
      await new Promise((resolve) => element.addEventListener('loadedmetadata', resolve, { once: true }))
      await element.play()
      const started = Date.now()
      while (element.currentTime < 1.0 && Date.now() - started < 20000 && fatal.length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      const playedTo = element.currentTime
      const target = hls.levels.length - 1
      hls.currentLevel = target
      const waitStart = Date.now()
      while (!switched.includes(target) && Date.now() - waitStart < 20000 && fatal.length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      return { playedTo, levels: hls.levels.map((l) => l.height), switched, fatal, target, width: element.videoWidth }
    }, master)
    mkdirSync(join(here, 'screenshots'), { recursive: true })
    await page.screenshot({ path: join(here, 'screenshots', 'hls-playback.png') })
    assert.equal(result.error, undefined, result.error)
    assert.deepEqual(result.fatal, [], `fatal hls.js errors: ${result.fatal}`)
    assert.ok(result.playedTo >= 1.0, `currentTime advanced to ${result.playedTo}`)
    assert.ok(result.levels.length >= 2, `levels: ${result.levels}`)
    assert.ok(result.switched.includes(result.target), `switched to level ${result.target}: ${result.switched}`)
    assert.ok(result.width > 0, 'frames decoded')
    assert.deepEqual(errors, [])
  } finally {
    await browser.close()
    instance.stop()
  }
})
